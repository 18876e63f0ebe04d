// Batch mode on a real file system: completeness (marker, stable size), idempotency keys from
// the content hash, moves to done/ and rejected/, reject files, summaries, and reruns; and a
// folder whose writer is hostile (links, FIFOs, huge files, names planted in advance).
#include "adapters/connector/drop_folder.hpp"
#include "base/hex.hpp"
#include "base/sha256.hpp"
#include "connector_test_support.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <fstream>
#include <future>
#include <sstream>

namespace pse::connector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::RecordingPublisher;
namespace fs = std::filesystem;
namespace json = boost::json;
using std::chrono::milliseconds;

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

const std::string kDeaths = "no_sujet,nom,deces\nQC-1931-0815,Lapointe,2026-11-20\nQC-1944-0302,Fortin,2026-11-21\nQC-1950-0101,Roy,2026-11-21\n";

class DropFolderTest : public ::testing::Test {
 protected:
  DropFolderTest() {
    source_.type = SourceType::csv;
    source_.key = "no_sujet";
  }

  std::unique_ptr<DropFolder> folder(Completion completion = Completion::done_marker,
                                     adapters::ErrorPolicy policy = adapters::ErrorPolicy::skip_record,
                                     std::uint64_t max_file_bytes = kDefaultMaxFileBytes) {
    const auto schema = dir_.write(std::string("schema-") + (policy == adapters::ErrorPolicy::skip_record ? "skip" : "strict") + ".yaml",
                                   std::string("header: true\non_error: ") +
                                       (policy == adapters::ErrorPolicy::skip_record ? "skip_record" : "reject_file") +
                                       "\ncolumns:\n  - {name: no_sujet, required: true}\n  - {name: nom}\n"
                                       "  - {name: deces, type: date}\n");
    source_.schema = schema;
    FieldMapping surname;
    surname.target = "surname";
    surname.source = "nom";
    FieldMapping death_date;
    death_date.target = "death_date";
    death_date.source = "deces";
    RecordMapper mapper("no_sujet", {surname, death_date});
    codec_ = open_file_codec(source_, mapper.source_fields());
    DropFolderSettings settings{"identity.death", drop_, completion, milliseconds(500), max_file_bytes};
    return std::make_unique<DropFolder>(settings, *codec_, std::move(mapper), publisher_);
  }

  void drop(const std::string& name, const std::string& content, bool with_marker = true) {
    std::ofstream(drop_ / name, std::ios::binary) << content;
    if (with_marker) std::ofstream(drop_ / (name + ".done")) << "";
  }

  pse::testing::TempDir dir_;
  fs::path drop_ = dir_ / "drop";
  SourceConfig source_;
  std::unique_ptr<FileCodec> codec_;
  RecordingPublisher publisher_;
};

TEST_F(DropFolderTest, AFileIsTakenOnlyOnceItsMarkerExists) {
  auto watcher = folder();
  drop("deces-1.csv", kDeaths, /*with_marker=*/false);
  EXPECT_TRUE(watcher->poll().empty());
  EXPECT_EQ(publisher_.calls, 0);
  std::ofstream(drop_ / "deces-1.csv.done") << "";
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  const FileReport& report = reports[0];
  EXPECT_EQ(report.outcome, FileOutcome::done);
  EXPECT_EQ(report.read, 3u);
  EXPECT_EQ(report.accepted, 3u);
  EXPECT_EQ(report.rejected, 0u);
  EXPECT_EQ(report.published, 3u);

  // Published: subject, classification fields, and keys from the content hash and record number.
  const std::string hash = to_hex(sha256(kDeaths));
  ASSERT_EQ(publisher_.accepted.size(), 3u);
  EXPECT_EQ(publisher_.accepted[0].category, "identity.death");
  EXPECT_EQ(publisher_.accepted[0].subject, "QC-1931-0815");
  EXPECT_EQ(json::serialize(publisher_.accepted[0].record), R"({"surname":"Lapointe","death_date":"2026-11-20"})");
  EXPECT_EQ(publisher_.accepted[0].idempotency_key, "identity.death:" + hash.substr(0, 32) + ":1");
  EXPECT_EQ(publisher_.accepted[2].idempotency_key, "identity.death:" + hash.substr(0, 32) + ":3");

  // Moved to done/ with a summary; the marker is gone; no reject file.
  EXPECT_THAT(names_in(drop_), ElementsAre("done", "rejected"));
  EXPECT_THAT(names_in(drop_ / "done"), ElementsAre("deces-1.csv", "deces-1.csv.summary.json"));
  EXPECT_TRUE(names_in(drop_ / "rejected").empty());
  EXPECT_EQ(file_text(drop_ / "done/deces-1.csv"), kDeaths);
  const json::object summary = json::parse(file_text(drop_ / "done/deces-1.csv.summary.json")).as_object();
  EXPECT_EQ(summary.at("outcome"), "done");
  EXPECT_EQ(summary.at("read"), 3);
  EXPECT_EQ(summary.at("published"), 3);
  EXPECT_EQ(summary.at("sha256"), hash.c_str());
  EXPECT_TRUE(watcher->poll().empty()) << "nothing left to take";
}

TEST_F(DropFolderTest, TheSameFileDroppedTwicePublishesNothingNew) {
  auto watcher = folder();
  drop("deces.csv", kDeaths);
  ASSERT_EQ(watcher->poll().at(0).published, 3u);
  drop("deces.csv", kDeaths);  // the transfer is run again, same name
  drop("deces-copie.csv", kDeaths);  // and under another name
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 2u);
  for (const auto& report : reports) {
    EXPECT_EQ(report.outcome, FileOutcome::done);
    EXPECT_EQ(report.published, 0u) << report.file;
    EXPECT_EQ(report.duplicates, 3u) << report.file;
    EXPECT_EQ(report.accepted, 3u) << report.file;
  }
  EXPECT_EQ(publisher_.accepted.size(), 3u);
  EXPECT_EQ(publisher_.calls, 9);
  // The second deces.csv does not overwrite the first in done/.
  const std::string second = "deces.csv." + to_hex(sha256(kDeaths)).substr(0, 12);
  EXPECT_THAT(names_in(drop_ / "done"), ElementsAre("deces-copie.csv", "deces-copie.csv.summary.json", "deces.csv", second,
                                                    second + ".summary.json", "deces.csv.summary.json"));
}

TEST_F(DropFolderTest, ACrashOrOutageMidwayLeavesTheFileAndTheRerunCompletesIt) {
  auto watcher = folder();
  drop("deces.csv", kDeaths);
  publisher_.unreachable_after = 1;  // the broker goes away after the first publish
  auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::retry_later);
  EXPECT_THAT(reports[0].reason, HasSubstr("provider_unavailable"));
  EXPECT_EQ(reports[0].published, 1u);
  EXPECT_TRUE(fs::exists(drop_ / "deces.csv"));
  EXPECT_TRUE(fs::exists(drop_ / "deces.csv.done"));
  EXPECT_TRUE(names_in(drop_ / "done").empty());

  publisher_.unreachable_after.reset();  // back
  reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::done);
  EXPECT_EQ(reports[0].duplicates, 1u);
  EXPECT_EQ(reports[0].published, 2u);
  ASSERT_EQ(publisher_.accepted.size(), 3u);  // each record exactly once
  EXPECT_EQ(publisher_.accepted[0].subject, "QC-1931-0815");
  EXPECT_EQ(publisher_.accepted[1].subject, "QC-1944-0302");
}

TEST_F(DropFolderTest, SkipRecordPublishesTheGoodRecordsAndListsTheBadOnes) {
  auto watcher = folder();
  drop("deces.csv", "no_sujet,nom,deces\nQC-1,Roy,2026-11-20\nQC-2,Roy,2026-02-30\n,Sansnom,2026-11-20\nQC-4,Roy\nQC-5,Roy,2026-11-21\n");
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::done);
  EXPECT_EQ(reports[0].read, 5u);
  EXPECT_EQ(reports[0].accepted, 2u);
  EXPECT_EQ(reports[0].rejected, 3u);
  ASSERT_EQ(publisher_.accepted.size(), 2u);
  EXPECT_THAT(publisher_.accepted[1].idempotency_key, ::testing::EndsWith(":5"));
  EXPECT_THAT(names_in(drop_ / "done"), ElementsAre("deces.csv", "deces.csv.summary.json"));
  const std::string rejects = file_text(drop_ / "rejected/deces.csv.rejects.jsonl");
  std::vector<json::object> lines;
  std::istringstream stream(rejects);
  for (std::string line; std::getline(stream, line);) lines.push_back(json::parse(line).as_object());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("record"), 2);
  EXPECT_EQ(lines[0].at("field"), "deces");
  EXPECT_EQ(lines[1].at("record"), 3);
  EXPECT_EQ(lines[1].at("field"), "no_sujet");
  EXPECT_EQ(lines[2].at("record"), 4);
}

TEST_F(DropFolderTest, RejectFileRefusesTheWholeFileAndPublishesNothing) {
  auto watcher = folder(Completion::done_marker, adapters::ErrorPolicy::reject_file);
  drop("deces.csv", "no_sujet,nom,deces\nQC-1,Roy,2026-11-20\nQC-2,Roy,2026-02-30\nQC-3,Roy,2026-11-21\n");
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::rejected);
  // The codec stops reading at the first bad record; every record read counts as rejected.
  EXPECT_EQ(reports[0].read, 2u);
  EXPECT_EQ(reports[0].rejected, 2u);
  EXPECT_THAT(reports[0].reason, HasSubstr("record 2"));
  EXPECT_EQ(publisher_.calls, 0);
  EXPECT_FALSE(fs::exists(drop_ / "deces.csv.done"));
  EXPECT_THAT(names_in(drop_ / "rejected"), ElementsAre("deces.csv", "deces.csv.rejects.jsonl", "deces.csv.summary.json"));
  EXPECT_THAT(file_text(drop_ / "rejected/deces.csv.rejects.jsonl"), HasSubstr(R"("record":2)"));
  EXPECT_THAT(file_text(drop_ / "rejected/deces.csv.summary.json"), HasSubstr(R"("outcome":"rejected")"));
}

TEST_F(DropFolderTest, ARefusedPublishIsRejectedPerRecord) {
  auto watcher = folder();
  publisher_.refuse = Reason::not_category_owner;
  drop("deces.csv", kDeaths);
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::done);
  EXPECT_EQ(reports[0].rejected, 3u);
  EXPECT_EQ(reports[0].accepted, 0u);
  EXPECT_THAT(file_text(drop_ / "rejected/deces.csv.rejects.jsonl"), HasSubstr("publish refused: not_category_owner"));
}

TEST_F(DropFolderTest, StableSizeWaitsUntilTheFileStopsChanging) {
  auto watcher = folder(Completion::stable_size);
  const auto start = std::chrono::steady_clock::now();
  drop("deces.csv", kDeaths.substr(0, 30), /*with_marker=*/false);
  EXPECT_TRUE(watcher->poll(start).empty()) << "first sight";
  EXPECT_TRUE(watcher->poll(start + milliseconds(300)).empty()) << "not stable for long enough";
  std::ofstream(drop_ / "deces.csv", std::ios::app | std::ios::binary) << kDeaths.substr(30);  // still being written
  EXPECT_TRUE(watcher->poll(start + milliseconds(600)).empty()) << "it grew";
  EXPECT_TRUE(watcher->poll(start + milliseconds(900)).empty());
  const auto reports = watcher->poll(start + milliseconds(1200));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].published, 3u);
  EXPECT_EQ(publisher_.accepted.size(), 3u);
}

TEST_F(DropFolderTest, HiddenTemporaryAndMarkerFilesAndFoldersAreIgnored) {
  auto watcher = folder(Completion::stable_size);
  const auto start = std::chrono::steady_clock::now();
  std::ofstream(drop_ / ".deces.csv.part") << kDeaths;
  std::ofstream(drop_ / "deces.csv.tmp") << kDeaths;
  std::ofstream(drop_ / "orphan.csv.done") << "";
  fs::create_directories(drop_ / "archive");
  EXPECT_TRUE(watcher->poll(start).empty());
  EXPECT_TRUE(watcher->poll(start + milliseconds(2000)).empty());
  EXPECT_EQ(publisher_.calls, 0);
}

TEST_F(DropFolderTest, AnUnreadableFileIsRejectedAsAWhole) {
  auto watcher = folder();
  drop("deces.csv", "wrong,header\n1,2\n");
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::rejected);
  EXPECT_THAT(names_in(drop_ / "rejected"), ::testing::Contains("deces.csv"));
}

// What the folder's writer can see of a refused entry: where it went and why.
json::object summary_of(const fs::path& file) { return json::parse(file_text(file)).as_object(); }

TEST_F(DropFolderTest, ALinkToAFileOutsideTheFolderIsNotRead) {
  auto watcher = folder();
  // A file the connector can read and the folder's writer cannot, in the CSV the folder expects.
  const auto outside = dir_.write("outside/secret.csv", "no_sujet,nom,deces\nQC-SECRET,Secret,2026-01-01\n");
  fs::create_symlink(outside, drop_ / "deces.csv");
  std::ofstream(drop_ / "deces.csv.done") << "";
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::rejected);
  EXPECT_THAT(reports[0].reason, ::testing::StartsWith("not_regular_file: deces.csv is a symbolic link"));
  EXPECT_EQ(publisher_.calls, 0);
  // The link itself is moved aside with its summary; its target is untouched and stays put.
  EXPECT_THAT(names_in(drop_), ElementsAre("done", "rejected"));
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(drop_ / "rejected/deces.csv")));
  EXPECT_THAT(summary_of(drop_ / "rejected/deces.csv.summary.json").at("reason").as_string().c_str(),
              ::testing::StartsWith("not_regular_file"));
  EXPECT_EQ(file_text(outside), "no_sujet,nom,deces\nQC-SECRET,Secret,2026-01-01\n");
  EXPECT_FALSE(fs::exists(drop_ / "rejected/deces.csv.rejects.jsonl"));
}

TEST_F(DropFolderTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  auto watcher = folder(Completion::stable_size);
  ASSERT_EQ(::mkfifo((drop_ / "deces.csv").c_str(), 0600), 0);
  // Read on another thread: if the FIFO were opened for reading as a file, it would block there
  // until a writer came; this test then plays the writer so that it ends (and fails).
  auto processed = std::async(std::launch::async, [&] { return watcher->process("deces.csv"); });
  if (processed.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    const int writer = ::open((drop_ / "deces.csv").c_str(), O_WRONLY);
    ::close(writer);
    processed.wait();
    FAIL() << "process() waited on the FIFO for a writer";
  }
  const FileReport report = processed.get();
  EXPECT_EQ(report.outcome, FileOutcome::rejected);
  EXPECT_THAT(report.reason, ::testing::StartsWith("not_regular_file: deces.csv is a FIFO"));
  EXPECT_EQ(publisher_.calls, 0);
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(drop_ / "rejected/deces.csv")));

  // A poll refuses one at once too, without waiting for it to look complete.
  ASSERT_EQ(::mkfifo((drop_ / "deces-2.csv").c_str(), 0600), 0);
  const auto reports = watcher->poll(std::chrono::steady_clock::now());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::rejected);
  EXPECT_THAT(names_in(drop_ / "rejected"), ::testing::Contains("deces-2.csv.summary.json"));
}

TEST_F(DropFolderTest, AFileOverTheSizeCapIsRefusedWithItsReason) {
  auto watcher = folder(Completion::done_marker, adapters::ErrorPolicy::skip_record, /*max_file_bytes=*/kDeaths.size() - 1);
  drop("deces.csv", kDeaths);
  drop("deces-small.csv", kDeaths.substr(0, kDeaths.find("QC-1944")));
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].file, "deces-small.csv");
  EXPECT_EQ(reports[0].outcome, FileOutcome::done);
  EXPECT_EQ(reports[1].file, "deces.csv");
  EXPECT_EQ(reports[1].outcome, FileOutcome::rejected);
  EXPECT_EQ(reports[1].reason, "file_too_large: deces.csv is larger than max_file_bytes (" +
                                   std::to_string(kDeaths.size() - 1) + " bytes)");
  EXPECT_EQ(publisher_.accepted.size(), 1u) << "only the small file's record";
  // Kept whole in rejected/, never silently dropped; the marker is gone.
  EXPECT_EQ(file_text(drop_ / "rejected/deces.csv"), kDeaths);
  EXPECT_THAT(summary_of(drop_ / "rejected/deces.csv.summary.json").at("reason").as_string().c_str(),
              ::testing::StartsWith("file_too_large"));
  EXPECT_FALSE(fs::exists(drop_ / "deces.csv.done"));
}

TEST_F(DropFolderTest, NamesPlantedAtTheOldTemporaryNamesAreNeitherFollowedNorOverwritten) {
  // The folder's writer plants a link where a summary would have been written first, and a
  // file where the reject file would have been.
  fs::create_directories(drop_ / "done");
  fs::create_directories(drop_ / "rejected");
  const auto victim = dir_.write("outside/victim.conf", "untouched\n");
  fs::create_symlink(victim, drop_ / "done/deces.csv.summary.json.tmp");
  std::ofstream(drop_ / "rejected/deces.csv.rejects.jsonl.tmp") << "planted\n";
  auto watcher = folder();
  drop("deces.csv", "no_sujet,nom,deces\nQC-1,Roy,2026-11-20\nQC-2,Roy,2026-02-30\n");
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::done);
  EXPECT_EQ(file_text(victim), "untouched\n");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(drop_ / "done/deces.csv.summary.json.tmp")));
  EXPECT_EQ(file_text(drop_ / "rejected/deces.csv.rejects.jsonl.tmp"), "planted\n");
  // The real files are complete, regular, and not readable by others.
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(drop_ / "done/deces.csv.summary.json")));
  EXPECT_EQ(summary_of(drop_ / "done/deces.csv.summary.json").at("accepted"), 1);
  EXPECT_THAT(file_text(drop_ / "rejected/deces.csv.rejects.jsonl"), HasSubstr(R"("record":2)"));
  struct stat info {};
  ASSERT_EQ(::stat((drop_ / "done/deces.csv.summary.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07, 0u);
  // No temporary file of the connector is left behind.
  EXPECT_THAT(names_in(drop_ / "done"), ElementsAre("deces.csv", "deces.csv.summary.json", "deces.csv.summary.json.tmp"));
}

TEST_F(DropFolderTest, ADoneFolderReplacedByALinkIsRefusedAtStart) {
  fs::create_directories(drop_);
  fs::create_directories(dir_ / "elsewhere");
  fs::create_directory_symlink(dir_ / "elsewhere", drop_ / "done");
  EXPECT_THROW(folder(), fs::filesystem_error);
}

TEST_F(DropFolderTest, FoldersRenamedAfterTheStartAreStillTheOnesWrittenTo) {
  auto watcher = folder();
  // The writer swaps done/ for a link to a folder of its choice.
  fs::create_directories(dir_ / "elsewhere");
  fs::rename(drop_ / "done", drop_ / "old-done");
  fs::create_directory_symlink(dir_ / "elsewhere", drop_ / "done");
  drop("deces.csv", kDeaths);
  const auto reports = watcher->poll();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].outcome, FileOutcome::done);
  EXPECT_EQ(reports[1].file, "done") << "the link is an entry like any other: refused";
  EXPECT_EQ(reports[1].outcome, FileOutcome::rejected);
  EXPECT_TRUE(names_in(dir_ / "elsewhere").empty());
  EXPECT_THAT(names_in(drop_ / "old-done"), ElementsAre("deces.csv", "deces.csv.summary.json"));
}

TEST(IdempotencyKey, FitsTheProtocolForEveryClassifiedCategory) {
  const std::string key = idempotency_key("public_services.office_locations", to_hex(sha256("x")), 18446744073709551615u);
  EXPECT_LE(key.size(), 128u);
  EXPECT_EQ(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:"), std::string::npos);
}

}  // namespace
}  // namespace pse::connector

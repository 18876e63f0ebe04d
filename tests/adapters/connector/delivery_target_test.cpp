// Deliveries written into legacy targets: a copybook file (EBCDIC fixed records, or ASCII RDW
// records that a GnuCOBOL program reads back), a CSV file; rolled with a done-marker; written
// once per event id, even across a crash between the write and its ledger entry.
#include "adapters/connector/connector.hpp"
#include "adapters/connector/delivery_target.hpp"
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_file_reader.hpp"
#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pse::connector {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

std::vector<fs::path> files_in(const fs::path& folder, std::string_view suffix) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().string().ends_with(suffix)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

Delivery delivery(std::string event_id, std::string subject, std::string record) {
  Delivery d;
  d.event_id = std::move(event_id);
  d.subject = std::move(subject);
  d.category = "identity.death";
  d.purpose = "pension_termination";
  d.record = json::parse(record).as_object();
  return d;
}

constexpr std::string_view kDeathCopybook =
    "       01 DECES.\n"
    "          05 NO-SUJET     PIC X(12).\n"
    "          05 NOM-FAMILLE  PIC X(20).\n"
    "          05 DATE-DECES   PIC 9(8) COMP-3.\n"
    "          05 AGE          PIC 9(3).\n";

class DeliveryTargetTest : public ::testing::Test {
 protected:
  DeliverConfig death_config(TargetType type) {
    DeliverConfig config;
    config.category = "identity.death";
    config.purpose = "pension_termination";
    config.type = type;
    config.copybook = dir_.write("deces.cpy", kDeathCopybook);
    config.copybook_options.code_page = legacy::CodePage::ebcdic_037;
    config.roll.folder = dir_ / "out";
    config.roll.prefix = "DECES";
    config.roll.extension = type == TargetType::csv ? ".csv" : ".dat";
    config.roll.max_records = 2;
    config.key = "NO-SUJET";
    config.fields = {{"surname", "NOM-FAMILLE", "", {}, 10}, {"death_date", "DATE-DECES", "%Y%m%d", {}, 11}};
    config.file = dir_ / "adapter.yaml";
    return config;
  }

  pse::testing::TempDir dir_;
};

TEST_F(DeliveryTargetTest, ACopybookFileIsRolledWithItsDoneMarkerAndReadsBack) {
  const DeliverConfig config = death_config(TargetType::copybook);
  {
    DeliveryTarget target(config);
    ASSERT_TRUE(target.write(delivery("evt-1", "QC-1931-0007", R"({"surname": "Tremblay", "death_date": "2026-11-20"})")));
    ASSERT_TRUE(target.write(delivery("evt-1", "QC-1931-0007", R"({"surname": "Tremblay", "death_date": "2026-11-20"})")));
    EXPECT_TRUE(files_in(dir_ / "out", ".done").empty());  // one record: the file is still open
    ASSERT_TRUE(target.write(delivery("evt-2", "QC-1944-0102", R"({"surname": "Côté", "death_date": "2026-11-21"})")));
  }
  const auto rolled = files_in(dir_ / "out", ".dat");
  ASSERT_EQ(rolled.size(), 1u);
  EXPECT_THAT(rolled[0].filename().string(), ::testing::MatchesRegex("DECES-[0-9]{8}T[0-9]{6}Z-1\\.dat"));
  EXPECT_TRUE(fs::exists(rolled[0].string() + ".done"));
  EXPECT_EQ(fs::file_size(dir_ / "out" / "DECES.part"), 0u);  // the next file, empty

  auto layout = legacy::parse_copybook(kDeathCopybook, config.copybook_options);
  ASSERT_TRUE(layout);
  legacy::FileReadOptions options;
  options.framing.record_length = layout->record_size();
  std::vector<std::string> read;
  auto summary = legacy::read_record_file(rolled[0], *layout, options,
                                          [&](const legacy::Record& record, const legacy::Frame&) { read.push_back(legacy::to_json(record)); });
  ASSERT_TRUE(summary) << summary.error().describe();
  // The retried evt-1 was written once; AGE, which nobody maps, is zero.
  EXPECT_THAT(read, ::testing::ElementsAre(R"({"NO-SUJET":"QC-1931-0007","NOM-FAMILLE":"Tremblay","DATE-DECES":20261120,"AGE":0})",
                                           R"({"NO-SUJET":"QC-1944-0102","NOM-FAMILLE":"Côté","DATE-DECES":20261121,"AGE":0})"));
}

TEST_F(DeliveryTargetTest, BytesWrittenButNotAcknowledgedAreCutAndWrittenOnceOnRedelivery) {
  const DeliverConfig config = death_config(TargetType::copybook);
  {
    DeliveryTarget target(config);
    ASSERT_TRUE(target.write(delivery("evt-1", "QC-1", R"({"surname": "Roy", "death_date": "2026-01-02"})")));
  }
  const auto one_record = fs::file_size(dir_ / "out" / "DECES.part");
  // A crash after the write of evt-2 and before its ledger entry: its bytes are in the file.
  std::ofstream(dir_ / "out" / "DECES.part", std::ios::app | std::ios::binary) << std::string(37, 'X');
  DeliveryTarget target(config);
  EXPECT_EQ(fs::file_size(dir_ / "out" / "DECES.part"), one_record);
  ASSERT_TRUE(target.write(delivery("evt-2", "QC-2", R"({"surname": "Gagnon", "death_date": "2026-01-03"})")));
  ASSERT_EQ(files_in(dir_ / "out", ".dat").size(), 1u);
  EXPECT_EQ(fs::file_size(files_in(dir_ / "out", ".dat")[0]), 2 * one_record);
}

TEST_F(DeliveryTargetTest, ARollInterruptedAfterItsRenameIsFinishedOnOpen) {
  const DeliverConfig config = death_config(TargetType::copybook);
  {
    DeliveryTarget target(config);
    ASSERT_TRUE(target.write(delivery("evt-1", "QC-1", R"({"surname": "Roy", "death_date": "2026-01-02"})")));
  }
  // The roll renamed the file and stopped: no done-marker, the ledger still says "in the part".
  fs::rename(dir_ / "out" / "DECES.part", dir_ / "out" / "DECES-20261207T000000Z-1.dat");
  DeliveryTarget target(config);
  EXPECT_TRUE(fs::exists(dir_ / "out" / "DECES-20261207T000000Z-1.dat.done"));
  ASSERT_TRUE(target.write(delivery("evt-1", "QC-1", R"({"surname": "Roy", "death_date": "2026-01-02"})")));  // known
  ASSERT_TRUE(target.write(delivery("evt-2", "QC-2", R"({"surname": "Gagnon", "death_date": "2026-01-03"})")));
  EXPECT_EQ(fs::file_size(dir_ / "out" / "DECES.part"), 40u);  // only evt-2 (12 + 20 + 5 + 3 bytes), in a new file
}

TEST_F(DeliveryTargetTest, ASymbolicLinkPlantedInTheOutputFolderIsNotFollowed) {
  const auto victim = dir_.write("victim.txt", "untouched");
  fs::create_directories(dir_ / "out");
  fs::create_symlink(victim, dir_ / "out" / "DECES.part");
  EXPECT_THROW(DeliveryTarget target(death_config(TargetType::copybook)), std::runtime_error);
  EXPECT_EQ(read_file(victim), "untouched");
}

TEST_F(DeliveryTargetTest, AValueThatDoesNotFitIsRefusedAndNothingIsWritten) {
  DeliveryTarget target(death_config(TargetType::copybook));
  auto refused = target.write(delivery("evt-1", "QC-1", R"({"surname": "Un nom de famille bien trop long", "death_date": "2026-01-02"})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::provider_error);
  EXPECT_THAT(refused.error().message, HasSubstr("NOM-FAMILLE"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("bien trop long")));
  EXPECT_EQ(fs::file_size(dir_ / "out" / "DECES.part"), 0u);
  EXPECT_FALSE(target.write(delivery("evt-2", "QC-1", R"({"surname": "Roy", "death_date": "hier"})")));
}

TEST_F(DeliveryTargetTest, ACsvFileHasAHeaderQuotesWhatNeedsItAndRollsWhenOld) {
  DeliverConfig config = death_config(TargetType::csv);
  config.delimiter = ';';
  config.roll.max_records = 100;
  config.roll.max_age = std::chrono::seconds(1);
  DeliveryTarget target(config);
  ASSERT_TRUE(target.write(delivery("evt-1", "QC-1", R"({"surname": "Roy; fils", "death_date": "2026-01-02"})")));
  ASSERT_TRUE(target.write(delivery("evt-2", "QC-2", R"({"surname": "O\"Neil", "death_date": null})")));
  ASSERT_TRUE(target.roll_if_old());
  EXPECT_TRUE(files_in(dir_ / "out", ".csv").empty());  // not old enough yet
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(target.roll_if_old());
  const auto rolled = files_in(dir_ / "out", ".csv");
  ASSERT_EQ(rolled.size(), 1u);
  EXPECT_TRUE(fs::exists(rolled[0].string() + ".done"));
  EXPECT_EQ(read_file(rolled[0]), "NO-SUJET;NOM-FAMILLE;DATE-DECES\r\nQC-1;\"Roy; fils\";20260102\r\nQC-2;\"O\"\"Neil\";\r\n");
  ASSERT_TRUE(target.roll_if_old());  // an empty file is not rolled
  EXPECT_EQ(files_in(dir_ / "out", ".csv").size(), 1u);
}

// A table through ODBC (the SQLite driver here; PostgreSQL through psqlODBC in
// tests/adapters/sql/odbc_target_test.cpp).
TEST_F(DeliveryTargetTest, ATableIsUpsertedOncePerEventId) {
  const auto database = dir_ / "rq.db";
  ASSERT_EQ(std::system(("sqlite3 '" + database.string() +
                         "' 'CREATE TABLE deces (no_sujet TEXT PRIMARY KEY, nom TEXT, date_deces TEXT);"
                         " CREATE TABLE pse_deliveries (event_id TEXT PRIMARY KEY, delivered_at TEXT NOT NULL);'")
                            .c_str()),
            0);
  DeliverConfig config = death_config(TargetType::odbc);
  config.schema = dir_.write("deces.odbc.yaml", "connection: \"Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so;Database=" +
                                                     database.string() + "\"\ntable: deces\nkey_column: no_sujet\n");
  config.key = "no_sujet";
  config.fields = {{"surname", "nom", "", {}, 10}, {"death_date", "date_deces", "%Y%m%d", {}, 11}};
  DeliveryTarget target(config);
  ASSERT_TRUE(target.write(delivery("evt-1", "QC-1", R"({"surname": "Roy", "death_date": "2026-01-02"})")));
  ASSERT_TRUE(target.write(delivery("evt-1", "QC-1", R"({"surname": "Roy", "death_date": "2026-01-02"})")));
  ASSERT_TRUE(target.write(delivery("evt-2", "QC-1", R"({"surname": "Roy-Côté", "death_date": "2026-01-02"})")));
  ASSERT_EQ(std::system(("sqlite3 '" + database.string() + "' 'SELECT * FROM deces; SELECT count(*) FROM pse_deliveries;' > '" +
                         (dir_ / "rows.txt").string() + "'")
                            .c_str()),
            0);
  EXPECT_EQ(read_file(dir_ / "rows.txt"), "QC-1|Roy-Côté|20260102\n2\n");
  config.key = "NO-SUJET";
  EXPECT_THROW(DeliveryTarget wrong(config), ConfigError);  // not the table's key column
}

TEST_F(DeliveryTargetTest, MappingsTheTargetCannotWriteAreRefused) {
  DeliverConfig config = death_config(TargetType::copybook);
  config.fields.push_back({"birth_date", "NAISSANCE", "", {}, 12});
  try {
    DeliveryTarget target(config);
    FAIL() << "accepted";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("adapter.yaml:12: 'NAISSANCE' is not an item of the copybook"));
  }
  config = death_config(TargetType::csv);
  config.fields.push_back({"survivors", "SURVIVANT", "", {{"given_names", "PRENOM", "", {}, 14}}, 13});
  EXPECT_THROW(DeliveryTarget target(config), ConfigError);
}

}  // namespace
}  // namespace pse::connector

// pse-audit as a privacy officer runs it: query, report, stats, prove/check-proof, keygen,
// help and usage errors — the real binary on a real log.
#include "audit_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace pse::audit {
namespace {

using testing::LogFixture;
using testing::run_pse_audit;

class PseAuditCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = new LogFixture();
    fixture_->write(0, 21, 7);
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }

  static testing::CommandResult run(const std::string& arguments) {
    return run_pse_audit(arguments, scratch_.path());
  }
  static std::string db() { return " --db " + fixture_->database.string(); }
  static std::string keys() { return " --key-dir " + fixture_->keys.string(); }

  static LogFixture* fixture_;
  inline static pse::testing::TempDir scratch_;
};

LogFixture* PseAuditCliTest::fixture_ = nullptr;

TEST_F(PseAuditCliTest, QueryBySubjectShowsOnlyThatSubject) {
  // sample_record(i) has subject "subject-(i % 5)": subject-2 is in entries 2, 7, 12 and 17.
  const auto result = run("query" + db() + keys() + " --subject subject-2");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("SEQ"), std::string::npos);
  EXPECT_NE(result.out.find("(4 entries)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("2026-01-01T00:00:07.000000Z"), std::string::npos) << result.out;

  const auto json = run("query" + db() + keys() + " --subject subject-2 --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto entries = boost::json::parse(json.out).as_array();
  ASSERT_EQ(entries.size(), 4U);
  std::vector<std::int64_t> seqs;
  for (const auto& entry : entries) seqs.push_back(entry.at("seq").to_number<std::int64_t>());
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{2, 7, 12, 17}));
  EXPECT_EQ(entries[0].at("permitted_fields").as_array().size(), 2U);
  EXPECT_EQ(json.out.find("subject-2"), std::string::npos) << "the clear id is never printed";
}

TEST_F(PseAuditCliTest, QueryFiltersCombine) {
  const auto result = run("query" + db() + " --consumer revenu-quebec --decision deny --csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Denied: i % 7 == 6 → 6, 13, 20; revenu-quebec: odd i → 13 only.
  EXPECT_EQ(result.out.rfind("seq,time,request_id,consumer,", 0), 0U) << result.out;
  EXPECT_NE(result.out.find("\r\n13,2026-01-01T00:00:13.000000Z,req-13,revenu-quebec,saaq,adresse,"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 2);

  const auto period = run("query" + db() + " --since 2026-01-01T00:00:05Z --until 2026-01-01T00:00:08Z --json");
  ASSERT_EQ(period.exit_code, 0) << period.err;
  EXPECT_EQ(boost::json::parse(period.out).as_array().size(), 3U);

  const auto limited = run("query" + db() + " --limit 2 --json");
  EXPECT_EQ(boost::json::parse(limited.out).as_array().size(), 2U);
}

TEST_F(PseAuditCliTest, QueryBySubjectWithoutTheKeyIsAUsageError) {
  const auto result = run("query" + db() + " --subject subject-2");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--key-dir"), std::string::npos) << result.err;
}

TEST_F(PseAuditCliTest, ReportIsInQuebecFrenchByDefault) {
  // subject-0: entries 0, 5, 10, 15 and 20; 20 was denied; 0 and 15 on a legal basis.
  const auto result = run("report" + db() + keys() + " --subject subject-0");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string& text = result.out;
  EXPECT_EQ(text.rfind("REGISTRE DES COMMUNICATIONS DE RENSEIGNEMENTS PERSONNELS\n", 0), 0U) << text;
  EXPECT_NE(text.find("Personne concernée : subject-0"), std::string::npos);
  EXPECT_NE(text.find("4 communications de vos renseignements personnels :"), std::string::npos) << text;
  EXPECT_NE(text.find("1. Le 2026-01-01 à 00 h 00 (UTC)"), std::string::npos) << text;
  EXPECT_NE(text.find("Destinataire : ramq"), std::string::npos);
  EXPECT_NE(text.find("Destinataire : revenu-quebec"), std::string::npos);
  EXPECT_NE(text.find("Communiqué par : saaq"), std::string::npos);
  EXPECT_NE(text.find("Fondement : votre consentement (c-5)"), std::string::npos) << text;
  EXPECT_NE(text.find("Fondement : disposition législative : LAI art. 68"), std::string::npos) << text;
  EXPECT_NE(text.find("Renseignements communiqués : adresse, code_postal"), std::string::npos);
  EXPECT_NE(text.find("Demandes refusées (aucun renseignement communiqué) : 1"), std::string::npos) << text;
}

TEST_F(PseAuditCliTest, ReportInEnglishOnRequest) {
  const auto result = run("report" + db() + keys() + " --subject subject-1 --lang en --since 2026-01-01T00:00:10Z");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("REGISTER OF COMMUNICATIONS OF PERSONAL INFORMATION\n", 0), 0U) << result.out;
  EXPECT_NE(result.out.find("Period: from 2026-01-01T00:00:10Z"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("2 communications of your personal information:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Recipient: revenu-quebec"), std::string::npos);

  const auto nobody = run("report" + db() + keys() + " --subject nobody");
  EXPECT_NE(nobody.out.find("Aucune communication de vos renseignements personnels"), std::string::npos);
  EXPECT_EQ(run("report" + db() + keys() + " --subject x --lang de").exit_code, 2);
}

TEST(PseAuditCliObligationsTest, TheRegisterSaysWhatTheRuleObligedInWordsAndQueryListsIt) {
  LogFixture fixture;
  pse::testing::TempDir scratch;
  {
    auto log = fixture.open_log();
    AuditRecord bound = testing::sample_record(0);
    bound.obligations = {"notify_subject", "no_onward_disclosure"};
    ASSERT_TRUE(log->append(bound).get().ok());
    ASSERT_TRUE(log->append(testing::sample_record(5)).get().ok());  // same subject, no obligation
  }
  const std::string args = " --db " + fixture.database.string() + " --key-dir " + fixture.keys.string();
  const auto french = run_pse_audit("report" + args + " --subject subject-0", scratch.path());
  ASSERT_EQ(french.exit_code, 0) << french.err;
  EXPECT_NE(french.out.find("   Renseignements communiqués : adresse, code_postal\n"
                            "   Conditions : Un avis de cette communication vous est envoyé, selon vos préférences d’avis.\n"
                            "                L’organisme ne peut communiquer ces renseignements à personne d’autre.\n"
                            "   Référence de la demande : req-0\n"),
            std::string::npos)
      << french.out;
  EXPECT_EQ(french.out.find("Conditions", french.out.find("2. Le")), std::string::npos) << "none for entry 5";

  const auto english = run_pse_audit("report" + args + " --subject subject-0 --lang en", scratch.path());
  ASSERT_EQ(english.exit_code, 0) << english.err;
  EXPECT_NE(english.out.find("   Conditions: A notice of this communication is sent to you, as your notice preferences allow.\n"
                             "               The body may not pass this information on.\n"),
            std::string::npos)
      << english.out;

  const auto json = run_pse_audit("query" + args + " --json", scratch.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto entries = boost::json::parse(json.out).as_array();
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].at("obligations"), (boost::json::array{"notify_subject", "no_onward_disclosure"}));
  EXPECT_EQ(entries[1].at("obligations"), boost::json::array{});
}

TEST_F(PseAuditCliTest, StatsCountByDecisionReasonAndOrganisation) {
  const auto result = run("stats" + db() + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto stats = boost::json::parse(result.out).as_object();
  EXPECT_EQ(stats.at("entries").to_number<int>(), 21);
  EXPECT_EQ(stats.at("by_decision").at("allow").to_number<int>(), 18);
  EXPECT_EQ(stats.at("by_decision").at("deny").to_number<int>(), 3);
  EXPECT_EQ(stats.at("by_reason").at("consent_missing").to_number<int>(), 3);
  EXPECT_EQ(stats.at("by_consumer").at("ramq").to_number<int>(), 11);
  EXPECT_EQ(stats.at("by_provider").at("saaq").to_number<int>(), 21);
  const auto text = run("stats" + db() + " --until 2026-01-01");
  EXPECT_NE(text.out.find("entries: 21"), std::string::npos) << text.out;
}

TEST_F(PseAuditCliTest, AnInclusionProofChecksAndATamperedOneDoesNot) {
  const auto proof_file = scratch_ / "proof.json";
  const auto proved = run("prove" + db() + " --seq 9 --out " + proof_file.string());
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  const auto checked = run("check-proof --proof " + proof_file.string() + keys());
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("valid: entry 9 is in the log of 21 entries"), std::string::npos) << checked.out;

  // Change the entry inside the proof: the path no longer leads to the signed root.
  auto json = boost::json::parse(testing::run_pse_audit("prove" + db() + " --seq 9", scratch_.path()).out).as_object();
  std::string entry(json["entry"].as_string());
  entry[40] = entry[40] == '0' ? '1' : '0';
  json["entry"] = entry;
  std::ofstream(proof_file, std::ios::trunc) << boost::json::serialize(json);
  const auto rejected = run("check-proof --proof " + proof_file.string() + keys());
  EXPECT_EQ(rejected.exit_code, 1) << rejected.out;
  EXPECT_NE(rejected.out.find("INVALID"), std::string::npos);

  LogFixture stranger;
  EXPECT_EQ(run("prove" + db() + " --seq 9 --out " + proof_file.string()).exit_code, 0);
  const auto foreign = run("check-proof --proof " + proof_file.string() + " --key-dir " + stranger.keys.string());
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.out.find("not signed by this key"), std::string::npos) << foreign.out;

  EXPECT_EQ(run("prove" + db() + " --seq 21").exit_code, 2) << "beyond the latest head";
}

TEST_F(PseAuditCliTest, AConsistencyProofChecks) {
  const auto proof_file = scratch_ / "consistency.json";
  const auto proved = run("prove" + db() + " --consistency-from 7 --out " + proof_file.string());
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  const auto checked = run("check-proof --proof " + proof_file.string() + keys());
  EXPECT_EQ(checked.exit_code, 0) << checked.out;
  EXPECT_NE(checked.out.find("valid: the log of 21 entries extends the log of 7 entries"), std::string::npos);
  // A size the writer signed no head at: which sizes got one depends on how the appends were
  // batched (a slower build splits the waves of 7 differently), so it is read from the log.
  std::set<std::int64_t> signed_sizes;
  sqlite3* connection = nullptr;
  ASSERT_EQ(sqlite3_open_v2(fixture_->database.c_str(), &connection, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(connection, "SELECT tree_size FROM tree_heads", -1, &statement, nullptr), SQLITE_OK);
  while (sqlite3_step(statement) == SQLITE_ROW) signed_sizes.insert(sqlite3_column_int64(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(connection);
  std::int64_t unsigned_size = 1;
  while (signed_sizes.contains(unsigned_size)) ++unsigned_size;
  ASSERT_LT(unsigned_size, 21) << "every size has a head: the appends were not batched at all";
  EXPECT_EQ(run("prove" + db() + " --consistency-from " + std::to_string(unsigned_size)).exit_code, 2)
      << "no head of size " << unsigned_size;
}

TEST_F(PseAuditCliTest, EveryCommandHasHelp) {
  for (const std::string command : {"keygen", "verify", "head", "query", "report", "prove", "check-proof", "stats"}) {
    const auto result = run(command + " --help");
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_EQ(result.out.rfind("usage: pse-audit " + command, 0), 0U) << command << ": " << result.out;
  }
  EXPECT_EQ(run("--help").exit_code, 0);
}

TEST_F(PseAuditCliTest, UsageAndConfigErrorsExitTwo) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  EXPECT_EQ(run("query" + db() + " --colour red").exit_code, 2);
  EXPECT_EQ(run("query" + db() + " --decision maybe").exit_code, 2);
  EXPECT_EQ(run("query" + db() + " --since yesterday").exit_code, 2);
  EXPECT_EQ(run("query --db " + (scratch_ / "missing.db").string()).exit_code, 2);
  EXPECT_EQ(run("verify" + db()).exit_code, 2) << "no key";
  EXPECT_EQ(run("keygen").exit_code, 2);
  const auto again = run("keygen --dir " + fixture_->keys.string());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos) << again.err;
}

TEST_F(PseAuditCliTest, KeygenWritesTheThreeFiles) {
  const auto dir = scratch_ / "new-keys";
  const auto result = run("keygen --dir " + dir.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const auto name : {signing_key_file, public_key_file, subject_key_file}) {
    EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
  }
  EXPECT_EQ(std::filesystem::status(dir / signing_key_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(PseAuditCliTest, TheCommandsNeverWriteToTheLog) {
  const auto before = std::filesystem::last_write_time(fixture_->database);
  const auto size = std::filesystem::file_size(fixture_->database);
  (void)run("verify" + db() + keys());
  (void)run("query" + db());
  (void)run("stats" + db());
  EXPECT_EQ(std::filesystem::last_write_time(fixture_->database), before);
  EXPECT_EQ(std::filesystem::file_size(fixture_->database), size);
}

}  // namespace
}  // namespace pse::audit

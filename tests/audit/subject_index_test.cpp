// The subject index written in runs (audit/subject_index.hpp), on real SQLite files:
// lookups by subject find every entry whether its run is indexed, being indexed or not
// complete yet; a restart, an emptied index and a schema 1 log are caught up when the writer
// opens; and `pse-audit verify` catches an index that hides or misdirects entries.
#include "audit/sqlite_audit_store.hpp"
#include "audit/subject_index.hpp"

#include "audit_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace pse::audit {
namespace {

using testing::LogFixture;
using testing::run_pse_audit;

constexpr int subjects = 5;  // sample_record(i) is about "subject-" + (i % 5)

void sql(const LogFixture& fixture, const std::string& statement) {
  ASSERT_EQ(testing::run_sql(fixture.database, statement), "");
}

std::int64_t sql_integer(const LogFixture& fixture, const std::string& query) {
  sqlite3* database = nullptr;
  EXPECT_EQ(sqlite3_open(fixture.database.c_str(), &database), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(database, query.c_str(), -1, &statement, nullptr), SQLITE_OK) << query;
  EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW) << query;
  const std::int64_t value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(database);
  return value;
}

std::int64_t indexed_upto(const LogFixture& fixture) {
  return sql_integer(fixture, "SELECT indexed_upto FROM writer_state");
}

/// The seqs a read-only store finds for "subject-<n>", checking each entry is that subject's.
std::vector<std::uint64_t> found_for(const LogFixture& fixture, int n) {
  auto store = SqliteAuditStore::open(fixture.database, SqliteAuditStore::Access::read_only);
  if (!store) throw std::runtime_error(store.error().message);
  const Hash subject = load_subject_hash_key(fixture.keys / subject_key_file).hash("subject-" + std::to_string(n));
  EntryFilter filter;
  filter.subject_hash = subject;
  std::vector<std::uint64_t> seqs;
  const auto status = (*store)->query(filter, [&](const StoredEntry& stored) {
    EXPECT_EQ(stored.entry.subject_hash, subject) << "seq " << stored.entry.seq;
    seqs.push_back(stored.entry.seq);
    return true;
  });
  if (!status) throw std::runtime_error(status.error().message);
  return seqs;
}

std::vector<std::uint64_t> expected_for(std::uint64_t entries, int n) {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t seq = static_cast<std::uint64_t>(n); seq < entries; seq += subjects) seqs.push_back(seq);
  return seqs;
}

void expect_every_subject_complete(const LogFixture& fixture, std::uint64_t entries) {
  for (int n = 0; n < subjects; ++n) EXPECT_EQ(found_for(fixture, n), expected_for(entries, n)) << "subject-" << n;
}

testing::CommandResult verify(const LogFixture& fixture) {
  return run_pse_audit("verify --db " + fixture.database.string() + " --key-dir " + fixture.keys.string(),
                       fixture.dir.path());
}

/// Opens the writer once more, which indexes every complete run.
void reopen_writer(const LogFixture& fixture) { AuditLog::open(fixture.config())->close(); }

TEST(SubjectIndexTest, LookupsFindEntriesInIndexedRunsInTheRunBeingIndexedAndInTheTail) {
  LogFixture fixture;
  fixture.write(0, 20'000, 500);
  // Run 0 is indexed; run 1 (from 16384) was complete 3,616 entries before the end and is
  // indexed a slice per commit; the rest is the tail. Which of run 1 is in depends on how
  // the commits fell, but run 0 must be in.
  EXPECT_GE(indexed_upto(fixture), static_cast<std::int64_t>(subject_run_size));
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM subject_index WHERE run = 0"),
            static_cast<std::int64_t>(subject_run_size));
  EXPECT_GT(sql_integer(fixture, "SELECT count(*) FROM subject_index WHERE run = 1"), 0);
  expect_every_subject_complete(fixture, 20'000);
  const auto result = verify(fixture);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  // The old per-entry index is gone: inserting into it was the cost this replaces.
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_entries_by_subject'"), 0);
}

TEST(SubjectIndexTest, ARestartCarriesOnWhereIndexingStopped) {
  LogFixture fixture;
  fixture.write(0, 12'000, 500);
  fixture.write(12'000, 9'000, 300);
  expect_every_subject_complete(fixture, 21'000);
  reopen_writer(fixture);
  EXPECT_EQ(indexed_upto(fixture), static_cast<std::int64_t>(2 * subject_run_size));
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM subject_index"), static_cast<std::int64_t>(2 * subject_run_size));
  expect_every_subject_complete(fixture, 21'000);
  const auto result = verify(fixture);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST(SubjectIndexTest, AnEmptiedIndexLosesNothingAndIsRebuiltWhenTheWriterOpens) {
  LogFixture fixture;
  fixture.write(0, 17'000, 1'000);
  sql(fixture, "DELETE FROM subject_index; UPDATE writer_state SET indexed_upto = 0");
  expect_every_subject_complete(fixture, 17'000);  // by scanning the entries
  reopen_writer(fixture);
  EXPECT_EQ(indexed_upto(fixture), static_cast<std::int64_t>(2 * subject_run_size));
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM subject_index"), static_cast<std::int64_t>(2 * subject_run_size));
  expect_every_subject_complete(fixture, 17'000);
}

TEST(SubjectIndexTest, ALogOfSchemaVersionOneIsReadAsIsAndUpgradedByTheWriter) {
  LogFixture fixture;
  fixture.write(0, 9'000, 1'000);
  // Back to the version 1 layout: a plain index on subject_hash, no subject_index, no tree_nodes.
  sql(fixture,
      "DROP TABLE subject_index; DROP TABLE tree_nodes; ALTER TABLE writer_state DROP COLUMN indexed_upto; "
      "CREATE INDEX audit_entries_by_subject ON audit_entries(subject_hash); PRAGMA user_version = 1");
  expect_every_subject_complete(fixture, 9'000);
  auto before = verify(fixture);
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;

  fixture.write(9'000, 100, 100);
  EXPECT_EQ(sql_integer(fixture, "PRAGMA user_version"), 3);
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM tree_nodes"), 9'100 / 256);
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_entries_by_subject'"), 0);
  EXPECT_EQ(indexed_upto(fixture), static_cast<std::int64_t>(subject_run_size));
  expect_every_subject_complete(fixture, 9'100);
  auto after = verify(fixture);
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
}

class SubjectIndexTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.write(0, 9'000, 1'000);
    reopen_writer(fixture_);
    ASSERT_EQ(indexed_upto(fixture_), static_cast<std::int64_t>(subject_run_size));
  }
  LogFixture fixture_;
};

TEST_F(SubjectIndexTamperTest, ADeletedRowHidesAnEntryAndVerifyCatchesIt) {
  sql(fixture_, "DELETE FROM subject_index WHERE seq = 7");
  auto found = found_for(fixture_, 2);
  EXPECT_EQ(std::count(found.begin(), found.end(), 7U), 0);  // what the deletion is for
  const auto result = verify(fixture_);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("subject index: 1 entries are missing from the subject index"), std::string::npos)
      << result.out;
}

TEST_F(SubjectIndexTamperTest, ARowPointedAtAnotherSubjectIsCaught) {
  sql(fixture_, "UPDATE subject_index SET subject_hash = (SELECT subject_hash FROM audit_entries WHERE seq = 8) WHERE seq = 7");
  EXPECT_EQ(found_for(fixture_, 3), expected_for(9'000, 3));  // the lookup checks the entry itself
  const auto result = verify(fixture_);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("point at no entry of their subject"), std::string::npos) << result.out;
}

TEST_F(SubjectIndexTamperTest, AnIndexClaimingMoreThanTheLogIsCaught) {
  sql(fixture_, "UPDATE writer_state SET indexed_upto = 16384");
  const auto result = verify(fixture_);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("claims to cover 16384 entries, the log has 9000"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace pse::audit

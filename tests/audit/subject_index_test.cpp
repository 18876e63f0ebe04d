// The subject index written in runs and merged (audit/subject_index.hpp), on real SQLite
// files: lookups by subject find every entry exactly once whether its run is indexed, being
// indexed, being merged or not complete yet; a restart, a rolled-back commit, an emptied index
// and logs of schema 1 and 3 are caught up by the writer; and `pse-audit verify` catches an
// index that hides or misdirects entries, in level-0 and merged runs.
#include "audit/sqlite_audit_store.hpp"
#include "audit/subject_index.hpp"

#include "audit_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <thread>

namespace pse::audit {
namespace {

using testing::LogFixture;
using testing::run_pse_audit;
using testing::sample_record;

constexpr int subjects = 5;  // sample_record(i) is about "subject-" + (i % 5)
constexpr std::uint64_t subject_run_size = SubjectIndexLayout{}.run_size;

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
      "DROP TABLE subject_index; DROP TABLE subject_runs; DROP TABLE subject_index_layout; DROP TABLE tree_nodes; "
      "ALTER TABLE writer_state DROP COLUMN indexed_upto; ALTER TABLE audit_entries DROP COLUMN obligations; "
      "CREATE INDEX audit_entries_by_subject ON audit_entries(subject_hash); PRAGMA user_version = 1");
  expect_every_subject_complete(fixture, 9'000);
  auto before = verify(fixture);
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;

  fixture.write(9'000, 100, 100);
  EXPECT_EQ(sql_integer(fixture, "PRAGMA user_version"), 6);
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


// ---- Merged runs -----------------------------------------------------------------------------
//
// With a small layout — level-0 runs of 16 entries, merged by 4: a run of level 1 holds 64
// entries, of level 2 256, of level 3 1,024 — a few thousand entries go through every stage
// of several levels, a few rows per commit.

constexpr std::uint64_t small_run_size = 16;
constexpr std::uint64_t small_fanout = 4;

/// Creates the log with the small layout (set before any entry, as a new log's is).
void use_small_runs(const LogFixture& fixture) {
  AuditLog::open(fixture.config())->close();
  sql(fixture, "UPDATE subject_index_layout SET run_size = " + std::to_string(small_run_size) +
                   ", fanout = " + std::to_string(small_fanout));
}

std::int64_t run_id(unsigned level, std::uint64_t index) { return SubjectRun{level, index}.id(); }

/// Runs SQL while a writer has the file open: waits for its lock rather than failing.
void sql_beside_writer(const LogFixture& fixture, const std::string& statements) {
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(fixture.database.c_str(), &database), SQLITE_OK);
  sqlite3_busy_timeout(database, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(database, statements.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(database);
}

/// Appends sample records [first, first + count) at once (a commit or two) and waits for them.
/// Returns how many the log took.
std::uint64_t append_wave(AuditLog& log, std::uint64_t first, std::uint64_t count) {
  std::vector<std::future<AuditLog::AppendResult>> pending;
  for (std::uint64_t i = first; i < first + count; ++i) pending.push_back(log.append(sample_record(i)));
  std::uint64_t taken = 0;
  for (auto& result : pending) taken += result.get().ok() ? 1 : 0;
  return taken;
}

/// What the index's runs are doing, from subject_runs and the rows.
struct RunStates {
  std::int64_t merges_half_done = 0;  // runs of level >= 1 building, with some rows
  std::int64_t drops_half_done = 0;   // dropping runs that still have rows
  std::int64_t top_live_level = -1;
  std::int64_t most_live_in_a_level = 0;
};

RunStates run_states(const LogFixture& fixture) {
  RunStates states;
  states.merges_half_done = sql_integer(
      fixture, "SELECT count(*) FROM subject_runs AS r WHERE state = 'building' AND run >> 48 >= 1 "
               "AND EXISTS (SELECT 1 FROM subject_index AS s WHERE s.run = r.run)");
  states.drops_half_done = sql_integer(
      fixture, "SELECT count(*) FROM subject_runs AS r WHERE state = 'dropping' "
               "AND EXISTS (SELECT 1 FROM subject_index AS s WHERE s.run = r.run)");
  states.top_live_level = sql_integer(fixture, "SELECT coalesce(max(run >> 48), -1) FROM subject_runs WHERE state = 'live'");
  states.most_live_in_a_level = sql_integer(
      fixture, "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM subject_runs WHERE state = 'live' GROUP BY run >> 48)");
  return states;
}

/// Every subject's entries, by reading the whole log (no index).
std::map<Hash, std::vector<std::uint64_t>> entries_by_subject(const LogFixture& fixture) {
  auto store = SqliteAuditStore::open(fixture.database, SqliteAuditStore::Access::read_only);
  if (!store) throw std::runtime_error(store.error().message);
  std::map<Hash, std::vector<std::uint64_t>> seqs;
  const auto status = (*store)->read_entries(0, UINT64_MAX, [&](const StoredEntry& stored) {
    seqs[stored.entry.subject_hash].push_back(stored.entry.seq);
    return true;
  });
  if (!status) throw std::runtime_error(status.error().message);
  return seqs;
}

std::vector<std::uint64_t> looked_up(const LogFixture& fixture, const Hash& subject) {
  auto store = SqliteAuditStore::open(fixture.database, SqliteAuditStore::Access::read_only);
  if (!store) throw std::runtime_error(store.error().message);
  EntryFilter filter;
  filter.subject_hash = subject;
  std::vector<std::uint64_t> seqs;
  const auto status = (*store)->query(filter, [&](const StoredEntry& stored) {
    seqs.push_back(stored.entry.seq);
    return true;
  });
  if (!status) throw std::runtime_error(status.error().message);
  return seqs;
}

/// Each subject's lookup gives exactly its entries: none missing, none twice.
void expect_lookups_exact(const LogFixture& fixture, const std::string& when) {
  const auto expected = entries_by_subject(fixture);
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(subjects)) << when;
  for (const auto& [subject, seqs] : expected) ASSERT_EQ(looked_up(fixture, subject), seqs) << when;
}

/// The runs of level >= 1 being built, as an SQL list: "(id, id…)".
std::string building_run_list(const LogFixture& fixture) {
  std::string list;
  sqlite3* database = nullptr;
  EXPECT_EQ(sqlite3_open(fixture.database.c_str(), &database), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(database, "SELECT run FROM subject_runs WHERE state = 'building' AND run >> 48 >= 1", -1,
                               &statement, nullptr),
            SQLITE_OK);
  while (sqlite3_step(statement) == SQLITE_ROW) {
    list += (list.empty() ? "" : ", ") + std::to_string(sqlite3_column_int64(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(database);
  return "(" + list + ")";
}

/// Whether the runs of such a list are all complete now.
bool all_live(const LogFixture& fixture, const std::string& runs) {
  return sql_integer(fixture, "SELECT count(*) FROM subject_runs WHERE state != 'live' AND run IN " + runs) == 0 &&
         sql_integer(fixture, "SELECT count(*) FROM subject_runs WHERE run IN " + runs) > 0;
}

void expect_verified(const LogFixture& fixture) {
  const auto result = verify(fixture);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST(SubjectIndexMergeTest, LookupsFindEveryEntryOnceBeforeDuringAndAfterMergesOfSeveralLevels) {
  LogFixture fixture;
  use_small_runs(fixture);
  auto log = AuditLog::open(fixture.config());
  bool saw_merge_half_done = false;
  bool saw_drop_half_done = false;
  std::int64_t most_live = 0;
  std::uint64_t written = 0;
  while (written < 2'000) {
    written += append_wave(*log, written, 7);
    const RunStates states = run_states(fixture);
    saw_merge_half_done |= states.merges_half_done > 0;
    saw_drop_half_done |= states.drops_half_done > 0;
    most_live = std::max(most_live, states.most_live_in_a_level);
    expect_lookups_exact(fixture, "after " + std::to_string(written) + " entries");
    if (HasFatalFailure()) return;
  }
  EXPECT_TRUE(saw_merge_half_done);
  EXPECT_TRUE(saw_drop_half_done);
  EXPECT_EQ(run_states(fixture).top_live_level, 3);  // 1,024 entries merged twice over
  // Merges keep up: a level never holds more than its next group, the group being merged and
  // what completes meanwhile.
  EXPECT_LE(most_live, static_cast<std::int64_t>(3 * small_fanout));
  log->close();
  expect_lookups_exact(fixture, "closed");
  expect_verified(fixture);
}

TEST(SubjectIndexMergeTest, AMergeHalfDoneWhenTheWriterStopsCarriesOnWhenItOpensAgain) {
  LogFixture fixture;
  use_small_runs(fixture);
  std::uint64_t written = 0;
  {
    auto log = AuditLog::open(fixture.config());
    while (run_states(fixture).merges_half_done == 0 || run_states(fixture).drops_half_done == 0) {
      ASSERT_LT(written, 2'000U) << "no merge and drop half done at once";
      written += append_wave(*log, written, 5);
    }
  }
  const std::string building_rows =
      "SELECT count(*) FROM subject_index WHERE run IN (SELECT run FROM subject_runs WHERE state = 'building' AND run >> 48 >= 1)";
  const std::int64_t rows_before = sql_integer(fixture, building_rows);
  const std::string half_done = building_run_list(fixture);
  expect_lookups_exact(fixture, "stopped in the middle of a merge");

  auto log = AuditLog::open(fixture.config());
  // Opening inserts nothing twice and forgets nothing: the merges resume with the next commit.
  EXPECT_EQ(sql_integer(fixture, building_rows), rows_before);
  expect_lookups_exact(fixture, "opened again");
  const std::uint64_t merged_after = written + 300;
  while (written < merged_after) {
    written += append_wave(*log, written, 5);
    expect_lookups_exact(fixture, "after " + std::to_string(written) + " entries");
    if (HasFatalFailure()) return;
  }
  EXPECT_TRUE(all_live(fixture, half_done)) << half_done;
  log->close();
  expect_verified(fixture);
}

TEST(SubjectIndexMergeTest, ACommitRolledBackInTheMiddleOfAMergeLosesNothing) {
  LogFixture fixture;
  use_small_runs(fixture);
  auto writer = SqliteAuditStore::open(fixture.database, SqliteAuditStore::Access::writer);
  auto reader = SqliteAuditStore::open(fixture.database, SqliteAuditStore::Access::read_only);
  ASSERT_TRUE(writer && reader);
  AuditLogOptions options;
  options.retry_interval = std::chrono::milliseconds(20);
  auto log = AuditLog::open(std::move(writer).value(), std::move(reader).value(),
                            load_signing_key(fixture.keys / signing_key_file),
                            load_subject_hash_key(fixture.keys / subject_key_file), options);
  std::uint64_t next = 0;
  while (run_states(fixture).merges_half_done == 0 || run_states(fixture).drops_half_done == 0) {
    ASSERT_LT(next, 2'000U) << "no merge and drop half done at once";
    append_wave(*log, next, 5);
    next += 5;
  }
  const std::string index_rows = "SELECT count(*) FROM subject_index";
  const std::int64_t rows_before = sql_integer(fixture, index_rows);
  const std::string half_done = building_run_list(fixture);

  // The batch's signed head is the last thing its commit inserts, after the index's slices:
  // refusing it rolls back a commit that has moved the merge and the drop on.
  sql_beside_writer(fixture, "CREATE TRIGGER refuse_heads BEFORE INSERT ON tree_heads "
                             "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  EXPECT_EQ(append_wave(*log, next, 5), 0U);
  next += 5;
  EXPECT_FALSE(log->health().available);
  EXPECT_EQ(sql_integer(fixture, index_rows), rows_before);  // rolled back
  sql_beside_writer(fixture, "DROP TRIGGER refuse_heads");
  for (int i = 0; i < 200 && !log->health().available; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(log->health().available);

  for (const std::uint64_t stop = next + 300; next < stop; next += 5) {
    append_wave(*log, next, 5);
    expect_lookups_exact(fixture, "after the rollback, " + std::to_string(next) + " appended");
    if (HasFatalFailure()) return;
  }
  EXPECT_TRUE(all_live(fixture, half_done)) << half_done;
  log->close();
  expect_verified(fixture);
}

class SubjectIndexMergedTamperTest : public ::testing::Test {
 protected:
  // Entries 0-255 are in one live run of level 2, 256-511 in another.
  void SetUp() override {
    use_small_runs(fixture_);
    fixture_.write(0, 700, 7);
    ASSERT_EQ(sql_integer(fixture_, "SELECT count(*) FROM subject_runs WHERE state = 'live' AND run = " +
                                        std::to_string(run_id(2, 0))),
              1);
    ASSERT_EQ(sql_integer(fixture_, "SELECT count(*) FROM subject_index WHERE run = " + std::to_string(run_id(2, 0))),
              256);
    expect_verified(fixture_);
  }
  std::string merged_run() const { return std::to_string(run_id(2, 0)); }
  LogFixture fixture_;
};

TEST_F(SubjectIndexMergedTamperTest, ADeletedRowHidesAnEntryAndVerifyCatchesIt) {
  sql(fixture_, "DELETE FROM subject_index WHERE run = " + merged_run() + " AND seq = 7");
  auto found = found_for(fixture_, 2);
  EXPECT_EQ(std::count(found.begin(), found.end(), 7U), 0);
  const auto result = verify(fixture_);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("subject index: 1 entries are missing from the subject index"), std::string::npos)
      << result.out;
}

TEST_F(SubjectIndexMergedTamperTest, ARowPointedAtAnotherSubjectIsCaught) {
  sql(fixture_, "UPDATE subject_index SET subject_hash = (SELECT subject_hash FROM audit_entries WHERE seq = 8) "
                "WHERE run = " + merged_run() + " AND seq = 7");
  EXPECT_EQ(found_for(fixture_, 3), expected_for(700, 3));  // the lookup checks the entry itself
  const auto result = verify(fixture_);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("1 runs of the subject index hold rows that point at no entry of their subject"),
            std::string::npos)
      << result.out;
}

TEST_F(SubjectIndexMergedTamperTest, ARunLookupsNoLongerSeekIsCaught) {
  sql(fixture_, "DELETE FROM subject_runs WHERE run = " + merged_run());
  EXPECT_EQ(found_for(fixture_, 1).front(), 256U);  // entries 0-255 hidden
  const auto result = verify(fixture_);
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("live runs leave entries 0 to 255 out"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("256 rows of the subject index point at no entry of their subject"), std::string::npos)
      << result.out;
}

TEST(SubjectIndexMergeTest, ALogOfSchemaVersionThreeKeepsItsRunsAndGetsThemMergedByTheWriter) {
  LogFixture fixture;
  // 17 complete level-0 runs of 8,192 entries, the layout of versions 2 and 3.
  constexpr std::uint64_t entries = 17 * subject_run_size + 1'000;
  fixture.write(0, entries, 8'192);
  // Back to version 3: no subject_runs, no layout, and level-0 runs only, as its writer left them.
  sql(fixture, "DROP TABLE subject_runs; DROP TABLE subject_index_layout; DELETE FROM subject_index; "
               "INSERT INTO subject_index (run, subject_hash, seq) "
               "  SELECT seq / 8192, subject_hash, seq FROM audit_entries WHERE seq < 17 * 8192; "
               "UPDATE writer_state SET indexed_upto = 17 * 8192; ALTER TABLE audit_entries DROP COLUMN obligations; "
               "PRAGMA user_version = 3");
  expect_every_subject_complete(fixture, entries);  // read as a version 3 file
  expect_verified(fixture);

  {
    auto log = AuditLog::open(fixture.config());  // the writer upgrades the file
    EXPECT_EQ(sql_integer(fixture, "PRAGMA user_version"), 6);
    EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM subject_runs WHERE state = 'live' AND run < 17"), 17);
    EXPECT_EQ(sql_integer(fixture, "SELECT run_size * 1000 + fanout FROM subject_index_layout"), 8'192'016);
    expect_every_subject_complete(fixture, entries);
    expect_verified(fixture);
  }
  // Then merges the first 16 runs as it appends, a slice per commit (two rows per entry
  // appended: the 131,072 rows take about 66,000 appends; the tests above see merges end).
  constexpr std::uint64_t more = 10'000;
  fixture.write(entries, more, 4'096);
  const std::string merged = std::to_string(run_id(1, 0));
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM subject_runs WHERE state = 'building' AND run = " + merged), 1);
  EXPECT_GE(sql_integer(fixture, "SELECT count(*) FROM subject_index WHERE run = " + merged), 2 * more - 2'048);
  EXPECT_EQ(sql_integer(fixture, "SELECT count(*) FROM subject_runs WHERE state = 'live' AND run < 16"), 16);
  expect_every_subject_complete(fixture, entries + more);
  expect_verified(fixture);
}

}  // namespace
}  // namespace pse::audit

// AuditLog on a real SQLite file and on a real PostgreSQL: sequence numbers, durability across
// reopen, group commit, signed tree heads, proofs, refusals.
#include "audit/audit_log.hpp"
#include "audit/log_verifier.hpp"
#include "audit/sqlite_audit_store.hpp"

#include "audit_test_support.hpp"
#include "base/config_error.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>

namespace pse::audit {
namespace {

using testing::LogFixture;
using testing::sample_record;

using pse::testing::Backend;

// What every audit store must do, run on the embedded SQLite file and on PostgreSQL.
class AuditLogOnEachBackend : public ::testing::TestWithParam<Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, AuditLogOnEachBackend, pse::testing::kEachBackend, pse::testing::backend_name);

TEST_P(AuditLogOnEachBackend, AppendsGetConsecutiveSequenceNumbersAndSurviveReopen) {
  LogFixture fixture(GetParam());
  {
    auto log = fixture.open_log();
    for (std::uint64_t i = 0; i < 5; ++i) {
      auto result = log->append(sample_record(i)).get();
      ASSERT_TRUE(result.ok()) << result.error().message;
      EXPECT_EQ(*result, i);
    }
    const auto head = log->latest_tree_head();
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->tree_size, 5U);
    EXPECT_TRUE(verify_tree_head(*head, log->public_key()));
  }
  auto log = fixture.open_log();
  EXPECT_EQ(log->latest_tree_head()->tree_size, 5U);
  EXPECT_EQ(*log->append(sample_record(5)).get(), 5U);
  log->close();

  auto store = fixture.read_store();
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(store->read_entries(0, 100, [&](const StoredEntry& stored) {
    entries.push_back(stored.entry);
    return true;
  }).ok());
  ASSERT_EQ(entries.size(), 6U);
  const auto expected = sample_record(3);
  EXPECT_EQ(entries[3].request_id, expected.request_id);
  EXPECT_EQ(entries[3].permitted_fields, expected.permitted_fields);
  EXPECT_EQ(entries[3].payload_hash, expected.payload_hash);
  // The subject is stored only as its keyed hash.
  const auto subject_key = load_subject_hash_key(fixture.keys / subject_key_file);
  EXPECT_EQ(entries[3].subject_hash, subject_key.hash(expected.subject_id));
}

TEST(AuditLogTest, TheClearSubjectIdIsNowhereInTheFile) {
  LogFixture fixture;
  {
    auto log = AuditLog::open(fixture.config());
    AuditRecord record = sample_record(0);
    record.subject_id = "NAM-UNIQUE-1234567";
    ASSERT_TRUE(log->append(record).get().ok());
  }
  for (const auto& file : std::filesystem::directory_iterator(fixture.dir.path())) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find("NAM-UNIQUE-1234567"), std::string::npos) << file.path();
  }
}

TEST_P(AuditLogOnEachBackend, ConcurrentAppendsAreGroupCommittedAndAllDurable) {
  LogFixture fixture(GetParam());
  constexpr int threads = 4;
  constexpr int per_thread = 250;
  std::atomic<int> done{0};
  std::atomic<int> failures{0};
  {
    auto log = fixture.open_log(fixture.config(64));
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          log->append(sample_record(static_cast<std::uint64_t>(t * per_thread + i)), [&](AuditLog::AppendResult result) {
            if (!result.ok()) ++failures;
            ++done;
          });
        }
      });
    }
    for (auto& writer : writers) writer.join();
  }  // close() drains the queue
  EXPECT_EQ(done.load(), threads * per_thread);
  EXPECT_EQ(failures.load(), 0);

  auto store = fixture.read_store();
  EXPECT_EQ(*store->count_entries(), static_cast<std::uint64_t>(threads * per_thread));
  std::uint64_t heads = 0;
  ASSERT_TRUE(store->read_tree_heads([&](const StoredTreeHead&) { return ++heads, true; }).ok());
  // Batches of at most 64: never fewer heads than that allows, and fewer than one per entry
  // as soon as appends overlap a commit.
  EXPECT_GE(heads, static_cast<std::uint64_t>(threads * per_thread / 64));
  EXPECT_LT(heads, static_cast<std::uint64_t>(threads * per_thread));

  const auto report = verify_log(*store, load_public_key(fixture.keys / public_key_file), {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact());
  EXPECT_EQ(report->entries, static_cast<std::uint64_t>(threads * per_thread));
}

TEST_P(AuditLogOnEachBackend, ProofsFromTheLogVerifyAgainstItsHeads) {
  LogFixture fixture(GetParam());
  fixture.write(0, 37, 10);
  auto log = fixture.open_log();
  const SignedTreeHead head = *log->latest_tree_head();
  ASSERT_EQ(head.tree_size, 37U);
  for (std::uint64_t seq : {0ULL, 12ULL, 36ULL}) {
    const auto proof = log->prove_inclusion(seq, head.tree_size);
    ASSERT_TRUE(proof.ok()) << proof.error().message;
    EXPECT_TRUE(verify_inclusion(seq, head.tree_size, proof->leaf_hash, proof->path, head.root));
  }
  auto store = fixture.read_store();
  const auto old_head = *store->tree_head_at(20);
  ASSERT_TRUE(old_head.has_value());
  const auto consistency = log->prove_consistency(20, head.tree_size);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(verify_consistency(20, head.tree_size, old_head->root, head.root, consistency->path));
  EXPECT_EQ(log->prove_inclusion(37, 37).error().code, AuditErrorCode::invalid_argument);
  EXPECT_EQ(log->prove_inclusion(0, 38).error().code, AuditErrorCode::invalid_argument);
}

TEST_P(AuditLogOnEachBackend, TreeHeadsOnDemandChainToThePreviousOne) {
  LogFixture fixture(GetParam());
  auto log = fixture.open_log();
  const auto empty = log->sign_tree_head();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->tree_size, 0U);
  EXPECT_EQ(empty->root, empty_tree_root());
  ASSERT_TRUE(log->append(sample_record(0)).get().ok());
  const auto after_append = *log->latest_tree_head();
  const auto fresh = log->sign_tree_head();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->tree_size, 1U);
  EXPECT_EQ(fresh->root, after_append.root);
  EXPECT_EQ(fresh->previous, tree_head_digest(after_append));
  EXPECT_GE(fresh->time, after_append.time);
  log->close();
  const auto report = verify_log(*fixture.read_store(), log->public_key(), {});
  EXPECT_TRUE(report->intact());
  EXPECT_EQ(report->tree_heads, 3U);
}

TEST_P(AuditLogOnEachBackend, RefusalsComeBackAsValues) {
  LogFixture fixture(GetParam());
  auto log = fixture.open_log();
  AuditRecord bad = sample_record(0);
  bad.permitted_fields = {"a,b"};
  EXPECT_EQ(log->append(bad).get().error().code, AuditErrorCode::invalid_entry);
  log->close();
  EXPECT_EQ(log->append(sample_record(1)).get().error().code, AuditErrorCode::closed);
  EXPECT_EQ(log->sign_tree_head().error().code, AuditErrorCode::closed);
}

TEST_P(AuditLogOnEachBackend, AFullQueueRefusesWithOverloaded) {
  LogFixture fixture(GetParam());
  AuditConfig config = fixture.config();
  config.max_pending_entries = 1;
  auto log = fixture.open_log(config);
  std::vector<std::future<AuditLog::AppendResult>> results;
  for (int i = 0; i < 200; ++i) results.push_back(log->append(sample_record(static_cast<std::uint64_t>(i))));
  int overloaded = 0;
  for (auto& result : results) {
    const auto value = result.get();
    if (!value.ok()) {
      EXPECT_EQ(value.error().code, AuditErrorCode::overloaded);
      ++overloaded;
    }
  }
  EXPECT_GT(overloaded, 0);
}

TEST(AuditLogTest, OneOrganisationCannotTakeMoreThanItsShareOfTheQueue) {
  LogFixture fixture;
  fixture.write(0, 1, 1);  // the file exists, so another connection can lock it
  AuditConfig config = fixture.config();
  config.max_pending_per_org = 4;
  auto log = AuditLog::open(config);
  auto record_of = [](std::uint64_t i, const std::string& requester) {
    AuditRecord record = sample_record(i);
    record.requested_by = requester;
    return record;
  };

  // Another connection holds the write lock: the writer's commit waits for it, and whatever
  // is appended meanwhile stays pending.
  sqlite3* locker = nullptr;
  ASSERT_EQ(sqlite3_open(fixture.database.c_str(), &locker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto blocked = log->append(record_of(100, "saaq"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the writer takes it and waits for the lock
  std::vector<std::future<AuditLog::AppendResult>> flood;
  for (std::uint64_t i = 0; i < 10; ++i) flood.push_back(log->append(record_of(i, "etat-civil")));
  std::vector<std::future<AuditLog::AppendResult>> others;
  for (std::uint64_t i = 10; i < 13; ++i) others.push_back(log->append(record_of(i, "")));  // charged to the consumer
  // The flooder is refused at once beyond its share; what it was refused never waits.
  int share_exceeded = 0;
  for (auto& result : flood) {
    if (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) continue;
    const auto value = result.get();
    ASSERT_FALSE(value.ok());
    EXPECT_EQ(value.error().code, AuditErrorCode::share_exceeded);
    ++share_exceeded;
  }
  EXPECT_EQ(share_exceeded, 6);  // 10 appended, 4 queued
  ASSERT_EQ(sqlite3_exec(locker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(locker);

  // The others' entries were queued despite the flood, and become durable.
  EXPECT_TRUE(blocked.get().ok());
  for (auto& result : others) {
    const auto value = result.get();
    EXPECT_TRUE(value.ok()) << value.error().message;
  }
  // Once the writer has taken the queue, the flooder has its share again.
  EXPECT_TRUE(log->append(record_of(20, "etat-civil")).get().ok());
}

TEST_P(AuditLogOnEachBackend, OpeningWithAnotherSigningKeyIsRefused) {
  LogFixture fixture(GetParam());
  fixture.write(0, 3, 3);
  LogFixture other;
  AuditConfig config = fixture.config();
  config.key_dir = other.keys;
  EXPECT_THROW(fixture.open_log(config), ConfigError);
}

TEST(AuditLogTest, OpeningAfterTheWriterStateWasTamperedWithIsRefused) {
  LogFixture fixture;
  fixture.write(0, 5, 5);
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(fixture.database.c_str(), &database), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(database, "DELETE FROM audit_entries WHERE seq = 4", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(database);
  EXPECT_THROW(AuditLog::open(fixture.config()), ConfigError);
}

TEST(AuditLogTest, DatabaseUsesWalAndFullSync) {
  LogFixture fixture;
  fixture.write(0, 1, 1);
  sqlite3* database = nullptr;
  ASSERT_EQ(sqlite3_open(fixture.database.c_str(), &database), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(database, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_close(database);
}

TEST(AuditLogTest, ConfigIsReadFromYaml) {
  pse::testing::TempDir dir;
  const auto file = dir.write("broker.yaml", "audit:\n  database: audit.db\n  key_dir: keys\n  max_batch_entries: 64\n");
  YamlMap root(load_yaml_file(file), file, "broker.yaml");
  YamlMap audit(root.required_node("audit"), file, "audit");
  const AuditConfig config = read_audit_config(audit);
  EXPECT_EQ(config.database, dir / "audit.db");
  EXPECT_EQ(config.key_dir, dir / "keys");
  EXPECT_EQ(config.max_batch_entries, 64U);
  EXPECT_EQ(config.max_pending_entries, 65536U);

  const auto typo = dir.write("typo.yaml", "audit:\n  database: a.db\n  key_dir: k\n  max_batch: 3\n");
  YamlMap typo_root(load_yaml_file(typo), typo, "typo.yaml");
  YamlMap typo_audit(typo_root.required_node("audit"), typo, "audit");
  EXPECT_THROW(read_audit_config(typo_audit), ConfigError);
}

}  // namespace
}  // namespace pse::audit

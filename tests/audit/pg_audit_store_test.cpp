// The PostgreSQL audit store as several brokers use it: one log for the hub, append-only in
// the database, a schema it does not know refused, and a lost connection survived.
#include "audit/log_verifier.hpp"
#include "audit/pg_audit_store.hpp"
#include "store/pg_schema.hpp"

#include "audit_test_support.hpp"
#include "base/random_id.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

namespace pse::audit {
namespace {

using pse::testing::Backend;
using testing::LogFixture;
using testing::sample_record;

PgConnection connect(const PgConnectOptions& options) {
  auto connection = PgConnection::connect(options);
  if (!connection) throw std::runtime_error(connection.error().message);
  return std::move(connection).value();
}

TEST(PgAuditStore, BrokersAppendingTogetherMakeOneLogThatVerifies) {
  LogFixture fixture(Backend::postgresql);
  constexpr int kBrokers = 3;
  constexpr int kThreadsPerBroker = 2;
  constexpr int kPerThread = 150;
  std::mutex mutex;
  std::vector<std::uint64_t> seqs;
  int failures = 0;
  {
    std::vector<std::unique_ptr<AuditLog>> brokers;
    for (int b = 0; b < kBrokers; ++b) brokers.push_back(fixture.open_log(fixture.config(32)));
    std::vector<std::thread> threads;
    for (int b = 0; b < kBrokers; ++b) {
      for (int t = 0; t < kThreadsPerBroker; ++t) {
        threads.emplace_back([&, b, t] {
          for (int i = 0; i < kPerThread; ++i) {
            const auto n = static_cast<std::uint64_t>((b * kThreadsPerBroker + t) * kPerThread + i);
            const auto result = brokers[static_cast<std::size_t>(b)]->append(sample_record(n)).get();
            std::lock_guard lock(mutex);
            if (result.ok()) {
              seqs.push_back(*result);
            } else {
              ++failures;
            }
          }
        });
      }
    }
    for (auto& thread : threads) thread.join();
  }
  constexpr std::uint64_t kTotal = kBrokers * kThreadsPerBroker * kPerThread;
  EXPECT_EQ(failures, 0);
  // Every acknowledged entry has its own place in one sequence without gaps.
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), kTotal);
  for (std::uint64_t i = 0; i < kTotal; ++i) ASSERT_EQ(seqs[i], i);

  auto store = fixture.read_store();
  const auto report = verify_log(*store, load_public_key(fixture.keys / public_key_file), {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->intact()) << (report->problems.empty() ? "" : report->problems.front().description);
  EXPECT_EQ(report->entries, kTotal);
  ASSERT_TRUE(report->latest_head.has_value());
  EXPECT_EQ(report->latest_head->tree_size, kTotal);
  // A broker opened afterwards resumes at the hub's end, not at its own.
  auto late = fixture.open_log();
  EXPECT_EQ(*late->append(sample_record(9999)).get(), kTotal);
}

TEST(PgAuditStore, AnExchangesAnswerIsKeptByTheCommitThatRecordsIt) {
  LogFixture fixture(Backend::postgresql);
  auto log = fixture.open_log();
  ASSERT_EQ(*log->append(sample_record(0)).get(), 0U);
  AuditRecord record = sample_record(1);
  record.answer = KeptAnswer{200, "application/json", std::string("{\"record\":{\"a\":\"\\t\\u0000\"}}"), 42};
  const auto seq = log->append(record).get();
  ASSERT_TRUE(seq.ok());
  PgConnection connection = connect(*fixture.postgres);
  auto rows = connection.query("SELECT consumer, request_id, audit_seq, status, content_type, body, expires_at "
                               "FROM exchange_answers");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1) << "the entry without an answer keeps none";
  EXPECT_EQ(rows->text(0, 0), record.consumer);
  EXPECT_EQ(rows->text(0, 1), record.request_id);
  EXPECT_EQ(rows->integer(0, 2), static_cast<std::int64_t>(*seq));
  EXPECT_EQ(rows->integer(0, 3), 200);
  EXPECT_EQ(rows->text(0, 4), "application/json");
  EXPECT_EQ(rows->bytes(0, 5), record.answer->body);
  EXPECT_EQ(rows->integer(0, 6), 42);
  // Not part of the entry: the log verifies as it would without it.
  auto store = fixture.read_store();
  const auto report = verify_log(*store, load_public_key(fixture.keys / public_key_file), {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact());
}

TEST(PgAuditStore, EntriesAndHeadsCannotBeChangedOrDeleted) {
  LogFixture fixture(Backend::postgresql);
  fixture.write(0, 3, 3);
  PgConnection connection = connect(*fixture.postgres);
  for (const char* statement :
       {"UPDATE audit_entries SET consumer = 'x' WHERE seq = 1", "DELETE FROM audit_entries WHERE seq = 2",
        "TRUNCATE audit_entries CASCADE", "UPDATE audit_tree_heads SET time_us = 0", "DELETE FROM audit_tree_heads"}) {
    const auto changed = connection.execute_script(statement);
    ASSERT_FALSE(changed.ok()) << statement;
    EXPECT_NE(changed.error().message.find("append-only"), std::string::npos) << changed.error().message;
  }
  auto store = fixture.read_store();
  EXPECT_EQ(*store->count_entries(), 3U);
}

TEST(PgAuditStore, ADatabaseMigratedByANewerProgramIsRefused) {
  LogFixture fixture(Backend::postgresql);
  fixture.write(0, 1, 1);
  PgConnection connection = connect(*fixture.postgres);
  ASSERT_TRUE(connection.execute_script("UPDATE pse_schema SET version = version + 1").ok());
  const auto store = PgAuditStore::open(*fixture.postgres);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer than this program"), std::string::npos) << store.error().message;
}

TEST(PgAuditStore, TheLogSurvivesLosingItsConnection) {
  LogFixture fixture(Backend::postgresql);
  // Its own sessions only: other tests use the same cluster at the same time.
  fixture.postgres->application_name = random_id("pse-audit-test-", 8);
  auto log = fixture.open_log();
  ASSERT_EQ(*log->append(sample_record(0)).get(), 0U);
  // What a PostgreSQL restart or a failover does to the writer's session.
  PgConnection admin = connect(*fixture.postgres);
  ASSERT_TRUE(admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 "
                            "AND pid <> pg_backend_pid()",
                            PgParams().text(fixture.postgres->application_name))
                  .ok());
  const auto lost = log->append(sample_record(1)).get();
  ASSERT_FALSE(lost.ok());  // never acknowledged without a durable entry
  EXPECT_EQ(lost.error().code, AuditErrorCode::store_failed);
  EXPECT_FALSE(log->health().available);
  // The writer reconnects on its own within a retry interval, and appends go on.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!log->health().available && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(log->health().available);
  EXPECT_EQ(*log->append(sample_record(2)).get(), 1U);
  log->close();
  const auto report = verify_log(*fixture.read_store(), log->public_key(), {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact());
  EXPECT_EQ(report->entries, 2U);
}

}  // namespace
}  // namespace pse::audit

// AuditLog on a file system that fills up and is freed again (a real tmpfs, ENOSPC): the log
// refuses while it cannot commit, says so in health(), and takes appends again by itself once
// it can — continuing from what is on disk, so the log verifies.
#include "audit/audit_log.hpp"
#include "audit/log_verifier.hpp"
#include "audit/sqlite_audit_store.hpp"

#include "audit_test_support.hpp"
#include "support/small_filesystem.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pse::audit {
namespace {

using testing::sample_record;

std::unique_ptr<AuditLog> open_log(const std::filesystem::path& database, const std::filesystem::path& keys) {
  auto writer = SqliteAuditStore::open(database, SqliteAuditStore::Access::writer);
  auto reader = SqliteAuditStore::open(database, SqliteAuditStore::Access::read_only);
  if (!writer || !reader) throw std::runtime_error("cannot open the audit store");
  AuditLogOptions options;
  options.retry_interval = std::chrono::milliseconds(50);
  return AuditLog::open(std::move(writer).value(), std::move(reader).value(),
                        load_signing_key(keys / signing_key_file), load_subject_hash_key(keys / subject_key_file),
                        options);
}

bool becomes_available(const AuditLog& log) {
  for (int i = 0; i < 200 && !log.health().available; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  return log.health().available;
}

TEST(AuditHealthTest, AFullDiskMakesTheLogUnavailableUntilItCanCommitAgain) {
  pse::testing::SmallFilesystem disk(8);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  pse::testing::TempDir keys;
  write_new_key_files(keys.path());
  const auto database = disk.path() / "audit.db";
  auto log = open_log(database, keys.path());
  for (std::uint64_t i = 0; i < 3; ++i) ASSERT_EQ(*log->append(sample_record(i)).get(), i);
  EXPECT_TRUE(log->health().available);
  EXPECT_EQ(log->health().commit_failures, 0U);

  ASSERT_GT(disk.fill(), 0U);
  auto refused = log->append(sample_record(3)).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, AuditErrorCode::store_failed);
  EXPECT_FALSE(log->health().available);
  EXPECT_GE(log->health().commit_failures, 1U);
  // While it cannot commit, appends are refused at once and no head can be issued.
  EXPECT_EQ(log->append(sample_record(4)).get().error().code, AuditErrorCode::store_failed);
  EXPECT_EQ(log->sign_tree_head().error().code, AuditErrorCode::store_failed);
  // The retries fail too while the disk is full, and stay unavailable.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(log->health().available);

  disk.free();
  ASSERT_TRUE(becomes_available(*log)) << "the log did not recover once space was freed";
  // The refused entries took no place in the log: the next one follows the last durable one.
  auto next = log->append(sample_record(5)).get();
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(*next, 3U);
  const auto head = log->latest_tree_head();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->tree_size, 4U);
  log->close();

  auto store = SqliteAuditStore::open(database, SqliteAuditStore::Access::read_only);
  ASSERT_TRUE(store.ok());
  auto report = verify_log(**store, load_signing_key(keys.path() / signing_key_file).public_key(), {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->intact()) << report->problems.front().description;
  EXPECT_EQ(report->entries, 4U);
}

TEST(AuditHealthTest, ALogThatWasUnavailableOpensAgainAfterARestart) {
  pse::testing::SmallFilesystem disk(8);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  pse::testing::TempDir keys;
  write_new_key_files(keys.path());
  const auto database = disk.path() / "audit.db";
  {
    auto log = open_log(database, keys.path());
    ASSERT_TRUE(log->append(sample_record(0)).get().ok());
    disk.fill();
    EXPECT_FALSE(log->append(sample_record(1)).get().ok());
  }  // closed while unavailable
  disk.free();
  auto log = open_log(database, keys.path());
  EXPECT_TRUE(log->health().available);
  EXPECT_EQ(*log->append(sample_record(2)).get(), 1U);
}

}  // namespace
}  // namespace pse::audit

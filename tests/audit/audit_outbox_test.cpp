// The audit log's outbox (AuditRecord::outbox), in both stores: a message is durable exactly
// when its entry is, stays until marked sent — across a restart — and leaves the entries, and
// so the log's verification, untouched. A SQLite log written before the outbox existed reads
// as having none, and its writer adds it.
#include "audit/log_verifier.hpp"

#include "audit_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace pse::audit {
namespace {

using pse::testing::Backend;
using testing::LogFixture;
using testing::sample_record;

std::vector<std::uint64_t> seqs_of(const std::vector<OutboxMessage>& messages) {
  std::vector<std::uint64_t> seqs;
  for (const auto& message : messages) seqs.push_back(message.seq);
  return seqs;
}

// What the log keeps once the writer has taken every "done" (it deletes them with its next batch).
std::vector<OutboxMessage> outbox_after_done(AuditLog& log, std::size_t expected) {
  for (int i = 0; i < 200; ++i) {
    auto kept = log.outbox();
    EXPECT_TRUE(kept.ok());
    if (kept && kept->size() == expected) return *kept;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return log.outbox().value();
}

class OutboxOnEachBackend : public ::testing::TestWithParam<Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, OutboxOnEachBackend, pse::testing::kEachBackend, pse::testing::backend_name);

TEST_P(OutboxOnEachBackend, AMessageIsKeptWithItsEntryUntilMarkedSentEvenAcrossARestart) {
  LogFixture fixture(GetParam());
  std::vector<std::uint64_t> seqs;
  {
    auto log = fixture.open_log();
    for (std::uint64_t i = 0; i < 4; ++i) {
      AuditRecord record = sample_record(i);
      if (i != 1) record.outbox = "message " + std::to_string(i) + std::string(1, '\0') + "\xff";  // any bytes
      auto seq = log->append(std::move(record)).get();
      ASSERT_TRUE(seq.ok()) << seq.error().message;
      seqs.push_back(*seq);
    }
    auto kept = log->outbox();
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_EQ(seqs_of(*kept), (std::vector<std::uint64_t>{seqs[0], seqs[2], seqs[3]}));
    EXPECT_EQ(kept->at(1).message, "message 2" + std::string(1, '\0') + "\xff");

    log->outbox_done(seqs[0]);
    log->outbox_done(seqs[0]);  // twice: no harm
    EXPECT_EQ(seqs_of(outbox_after_done(*log, 2)), (std::vector<std::uint64_t>{seqs[2], seqs[3]}));
  }
  // A restart finds what was not marked sent.
  auto log = fixture.open_log();
  auto kept = log->outbox();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(seqs_of(*kept), (std::vector<std::uint64_t>{seqs[2], seqs[3]}));
  log->outbox_done(seqs[2]);
  log->outbox_done(seqs[3]);
  EXPECT_TRUE(outbox_after_done(*log, 0).empty());

  // The messages are not part of the entries: the log verifies as any other.
  auto store = fixture.read_store();
  const auto report = verify_log(*store, load_public_key(fixture.keys / public_key_file), {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty());
}

TEST(OutboxTest, ASqliteLogOfVersionFiveHasNoOutboxUntilItsWriterAddsIt) {
  LogFixture fixture;
  {
    auto log = fixture.open_log();
    for (std::uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(log->append(sample_record(i)).get().ok());
  }
  ASSERT_EQ(testing::run_sql(fixture.database, "DROP TABLE outbox; PRAGMA user_version = 5"), "");
  {
    auto old_reader = fixture.read_store();
    auto kept = old_reader->read_outbox();
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_TRUE(kept->empty());
  }
  auto log = fixture.open_log();  // the writer upgrades the file
  EXPECT_EQ(testing::run_sql(fixture.database, "SELECT count(*) FROM outbox"), "");  // the table is back
  AuditRecord record = sample_record(5);
  record.outbox = "kept";
  const auto seq = log->append(std::move(record)).get();
  ASSERT_TRUE(seq.ok());
  auto kept = log->outbox();
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(kept->at(0).seq, *seq);
}

}  // namespace
}  // namespace pse::audit

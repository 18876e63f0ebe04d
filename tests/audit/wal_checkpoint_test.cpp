// The audit store's WAL is copied into the database by a thread of its own and restarted by
// the writer past a bound: under a steady stream of commits the WAL stays small and every
// entry stays readable.
#include "audit/audit_entry.hpp"
#include "audit/merkle.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "audit/tree_nodes.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace pse::audit {
namespace {

AuditEntry entry_for(std::uint64_t seq) {
  AuditEntry entry;
  entry.seq = seq;
  entry.time = 1'700'000'000'000'000 + static_cast<TimeMicros>(seq);
  entry.request_id = "rq-" + std::to_string(seq);
  entry.consumer = "ramq";
  entry.provider = "etat-civil";
  entry.category = "identity.birth";
  entry.purpose = "health_insurance_registration";
  entry.decision = Decision::allow;
  entry.rule_id = "ramq-birth-registration";
  entry.basis_type = BasisType::law;
  entry.basis = "RLRQ, c. A-29";
  entry.permitted_fields = {"surname", "birth_date"};
  // A subject per entry: each lands on its own page of the subject index, as in production.
  entry.subject_hash = sha256("QC-" + std::to_string(seq * 7919));
  return entry;
}

TEST(WalCheckpoint, TheWalStaysBoundedUnderSteadyCommitsAndNothingIsLost) {
  pse::testing::TempDir dir;
  const auto file = dir / "audit.db";
  constexpr std::uint64_t kBatches = 400;
  constexpr std::uint64_t kPerBatch = 20;
  {
    auto store = SqliteAuditStore::open(file, SqliteAuditStore::Access::writer,
                                        CheckpointSettings{.start_pages = 32, .restart_pages = 256});
    ASSERT_TRUE(store) << store.error().message;
    std::uintmax_t largest_wal = 0;
    // Unsigned heads: only the WAL's size is under test here.
    const Sealer seal = [](const WriterState& committed, std::span<AuditEntry> entries) {
      SealedBatch sealed{{}, {}, committed.frontier, {}};
      for (AuditEntry& entry : entries) {
        entry.seq = sealed.frontier.size();
        sealed.leaf_hashes.push_back(entry_leaf_hash(entry));
        append_leaf(sealed.frontier, sealed.leaf_hashes.back(), sealed.nodes);
      }
      sealed.head.tree_size = sealed.frontier.size();
      sealed.head.root = sealed.frontier.root();
      return sealed;
    };
    for (std::uint64_t batch = 0; batch < kBatches; ++batch) {
      std::vector<AuditEntry> entries;
      for (std::uint64_t i = 0; i < kPerBatch; ++i) entries.push_back(entry_for(batch * kPerBatch + i));
      auto committed = (*store)->commit(entries, {}, seal);
      ASSERT_TRUE(committed) << committed.error().message;
      std::error_code ec;
      largest_wal = std::max(largest_wal, std::filesystem::file_size(dir / "audit.db-wal", ec));
    }
    // About 10,000 WAL pages (40 MiB) were written; the WAL never held much more than the
    // 256-page bound plus a commit (SQLite reuses the file from its start after a restart).
    EXPECT_LT(largest_wal, 2u * 1024 * 1024);
    EXPECT_GT((*store)->checkpointer()->passes(), 0u);
    EXPECT_GT((*store)->checkpointer()->restarts(), 0u);
  }
  auto reader = SqliteAuditStore::open(file, SqliteAuditStore::Access::read_only);
  ASSERT_TRUE(reader) << reader.error().message;
  auto count = (*reader)->count_entries();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, kBatches * kPerBatch);
  auto writer = SqliteAuditStore::open(file, SqliteAuditStore::Access::writer);
  ASSERT_TRUE(writer) << writer.error().message;
  auto state = (*writer)->load_writer_state();
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->entry_count, kBatches * kPerBatch);
}

}  // namespace
}  // namespace pse::audit

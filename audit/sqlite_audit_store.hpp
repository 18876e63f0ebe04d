// The SQLite audit store: one database file holding the entries, the signed tree heads and
// the writer's Merkle frontier.
//
// Opened for writing, the connection uses WAL with synchronous=FULL: a commit returns only
// once the WAL is fsync'ed, so a committed batch survives power loss, and readers (pse-audit,
// proofs) never block the writer. Opened read-only, it never creates or alters the file.
//
// Tables (schema version 5, in PRAGMA user_version; a writer upgrades a version 1 to 4 file):
//   audit_entries(seq PK, time_us, request_id, consumer, provider, category, purpose,
//                 decision, reason, rule_id, basis_type, basis, permitted_fields,
//                 payload_hash, subject_hash, leaf_hash, obligations)
//   subject_index(run, subject_hash, seq)   written in sorted runs, merged: subject_index.hpp
//   subject_runs(run PK, state), subject_index_layout(id = 1, run_size, fanout)   the same
//   tree_heads(id PK, tree_size, time_us, root, previous, signature)
//   writer_state(id = 1, frontier, indexed_upto)
//   tree_nodes(level, node_index, hash) WITHOUT ROWID   the interior nodes: tree_nodes.hpp
// Version 1 had a plain index on audit_entries(subject_hash) instead of subject_index; a
// reader still queries such a file by it. Versions 1 and 2 had no tree_nodes: the upgrade
// computes them from the recorded leaf hashes in one pass, and a reader of such a file builds
// proofs from every leaf hash. Versions 2 and 3 had no subject_runs: their runs were never
// merged, and the upgrade lists them. Versions 1 to 4 had no obligations column: a reader takes
// their entries as having none (their encoding has none), and the upgrade adds it, empty.
#pragma once

#include "audit/audit_store.hpp"
#include "base/sqlite.hpp"
#include "audit/subject_index.hpp"
#include "audit/wal_checkpointer.hpp"

#include <filesystem>
#include <memory>
#include <optional>

namespace pse::audit {

class SqliteAuditStore final : public AuditStore {
 public:
  enum class Access { writer, read_only };

  /// Creates the schema when opening an empty file for writing. Errors: store_failed (cannot
  /// open, not a database, newer schema).
  /// A writer copies its WAL into the database on a thread of its own (wal_checkpointer.hpp).
  static Result<std::unique_ptr<SqliteAuditStore>> open(const std::filesystem::path& file, Access access,
                                                        CheckpointSettings checkpoints = {});
  /// The writer's checkpointer (nullptr for a reader).
  const WalCheckpointer* checkpointer() const { return checkpointer_.get(); }

  Result<WriterState> load_writer_state() override;
  Status commit(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent,
                const Sealer& seal) override;
  Status recover() override;
  Status read_entries(std::uint64_t begin, std::uint64_t end, const EntryVisitor& visit) override;
  Result<std::vector<Hash>> read_leaf_hashes(std::uint64_t begin, std::uint64_t end) override;
  Result<bool> has_tree_nodes() override;
  Status read_tree_nodes(unsigned level, std::uint64_t begin, std::uint64_t end, const NodeVisitor& visit) override;
  Result<std::uint64_t> count_tree_nodes(std::uint64_t tree_size) override;
  Status read_tree_heads(const HeadVisitor& visit) override;
  Result<std::optional<SignedTreeHead>> latest_tree_head() override;
  Result<std::optional<SignedTreeHead>> tree_head_at(std::uint64_t tree_size) override;
  Result<std::uint64_t> count_entries() override;
  Status query(const EntryFilter& filter, const EntryVisitor& visit) override;
  Result<std::optional<std::string>> check_subject_index() override;
  Result<std::vector<OutboxMessage>> read_outbox() override;
  Status delete_outbox(std::span<const std::uint64_t> seqs) override;

 private:
  explicit SqliteAuditStore(SqliteDatabase database) : database_(std::move(database)) {}
  Status prepare_writer_statements();
  Status insert_head(const SignedTreeHead& head);
  Status commit_in_transaction(std::span<const AuditEntry> entries, const SealedBatch& sealed);
  Status remove_outbox(std::span<const std::uint64_t> seqs);
  bool has_obligations();

  SqliteDatabase database_;
  int schema_version_ = 0;
  bool has_obligations_ = false;  // once seen, for good
  SqliteStatement insert_entry_;
  SqliteStatement insert_head_;
  SqliteStatement save_frontier_;
  SqliteStatement insert_node_;
  SqliteStatement insert_outbox_;
  SqliteStatement delete_outbox_;
  SqliteStatement begin_;
  SqliteStatement commit_;
  SqliteStatement rollback_;
  std::optional<SubjectIndexWriter> subject_index_;  // the writer's
  // Set by a failed commit: the subject index's memory may not match the file until recover().
  bool needs_recovery_ = false;
  std::optional<WriterState> tip_;  // the committed end of the log, once read
  std::unique_ptr<WalCheckpointer> checkpointer_;  // last: stops before the statements and connection go
};

}  // namespace pse::audit

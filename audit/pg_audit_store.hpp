// The PostgreSQL audit store: one Merkle log for the whole hub, whichever broker appends.
//
// Tables (store/pg_schema.cpp): audit_entries, audit_tree_heads, audit_tree_nodes (the
// interior nodes: tree_nodes.hpp), and audit_log_end — one row holding the entry count, the
// serialized Merkle frontier and the id of the latest head. A commit locks that row (SELECT …
// FOR UPDATE), so the batches of every broker are totally ordered: each takes the next
// sequence numbers, extends the frontier it read, adds the tree nodes it completes and signs
// one head, in one transaction (durable on return with PostgreSQL's default
// synchronous_commit). A trigger refuses to move the end row past a tree node that is missing,
// so a broker of a version that does not write them cannot leave holes.
// The frontier a writer committed last is kept in memory and re-read only when another
// broker has appended since. Entry encoding, leaf hashes and head signatures are the SQLite
// store's, so one verifier serves both.
//
// Entries, heads and tree nodes are append-only in the database too (triggers). The index of
// entries by subject is a plain PostgreSQL index, kept by the database itself.
#pragma once

#include "audit/audit_store.hpp"
#include "base/postgres.hpp"

#include <memory>
#include <optional>

namespace pse::audit {

class PgAuditStore final : public AuditStore {
 public:
  enum class Access { writer, read_only };

  /// Connects; a writer brings the schema up to date, a reader (pse-audit) changes nothing and
  /// needs a schema that holds the log. Errors: store_failed (cannot connect, no audit log
  /// there, a schema newer than this program).
  static Result<std::unique_ptr<PgAuditStore>> open(const PgConnectOptions& options, Access access = Access::writer);

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
  explicit PgAuditStore(PgConnection connection) : connection_(std::move(connection)) {}
  /// Reconnects a connection that was lost; reads then go on as if nothing happened.
  Status usable();
  Status commit_in_transaction(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent,
                               const Sealer& seal, WriterState& tip, std::int64_t& head_id);
  Result<WriterState> read_end(bool for_update, std::int64_t& head_id);
  /// Whether audit_entries has its obligations column (schema version 8).
  Result<bool> has_obligations();

  PgConnection connection_;
  bool needs_recovery_ = false;
  bool has_tree_nodes_ = false;  // once seen, for good
  bool has_obligations_ = false;  // the same
  std::optional<WriterState> tip_;  // the end this writer committed last…
  std::int64_t tip_head_id_ = 0;    // …and its head's row, to see whether another broker appended since
};

}  // namespace pse::audit

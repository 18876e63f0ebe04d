// The narrow interface between the audit log and its storage.
//
// The contract that matters: commit() makes a batch of entries, the tree nodes it completes,
// the log's Merkle frontier and the batch's signed tree head durable together, atomically —
// all or nothing, and durable on return (it survives power loss, not only a crash).
// Everything else only reads.
//
// One store object is used by one thread at a time; AuditLog opens one for its writer and one
// for readers. Backends: SQLite (sqlite_audit_store.hpp), PostgreSQL (pg_audit_store.hpp).
#pragma once

#include "audit/audit_entry.hpp"
#include "audit/merkle.hpp"
#include "audit/result.hpp"
#include "audit/tree_head.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pse::audit {

/// An entry read back, with the leaf hash recorded when it was written. The recorded hash is
/// a claim, not a proof: `verify` recomputes it and checks it against the signed tree heads.
struct StoredEntry {
  AuditEntry entry;
  Hash recorded_leaf_hash{};
  /// false when the stored row cannot be an entry at all (unknown decision, a hash of the
  /// wrong size, a NULL…): someone wrote it by hand.
  bool well_formed = true;
};

/// A stored interior node of the tree (tree_nodes.hpp); `well_formed` is false for a row whose
/// hash is not 32 bytes.
struct StoredNode {
  std::uint64_t index = 0;
  Hash hash{};
  bool well_formed = true;
};

/// A tree head read back; `well_formed` is false for a row that cannot be a head (a hash or
/// signature of the wrong size…).
struct StoredTreeHead {
  SignedTreeHead head;
  bool well_formed = true;
};

/// Filters of `pse-audit query`; unset members match everything.
struct EntryFilter {
  std::optional<Hash> subject_hash;
  std::optional<std::string> consumer;
  std::optional<std::string> provider;
  std::optional<std::string> category;
  std::optional<Decision> decision;
  std::optional<TimeMicros> since;  ///< inclusive
  std::optional<TimeMicros> until;  ///< exclusive
  std::optional<std::uint64_t> limit;
};

/// What the writer needs to resume after a restart.
struct WriterState {
  std::uint64_t entry_count = 0;
  MerkleFrontier frontier;
  std::optional<SignedTreeHead> latest_head;
};

/// What a writer makes of a batch once it knows where the log ends.
struct SealedBatch {
  std::vector<Hash> leaf_hashes;  ///< one per entry, in order
  std::vector<MerkleNode> nodes;  ///< the subtrees at stored levels the batch completes (tree_nodes.hpp)
  MerkleFrontier frontier;        ///< the tree after the batch
  SignedTreeHead head;            ///< signs that tree
};

/// A message kept by the commit of entry `seq` (AuditRecord::outbox) and not yet sent.
struct OutboxMessage {
  std::uint64_t seq = 0;
  std::string message;
};

/// Numbers `entries` from `committed.entry_count` on (setting each seq) and seals them.
using Sealer = std::function<SealedBatch(const WriterState& committed, std::span<AuditEntry> entries)>;

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  /// The writer's state; also checks that the frontier, the entry count and the latest head
  /// agree (corrupt otherwise).
  virtual Result<WriterState> load_writer_state() = 0;

  /// Appends `entries` (none: a head only) at the end of the log, atomically and durably.
  /// The end is the one committed when the store takes it, not the one this writer last saw:
  /// on PostgreSQL several brokers append to one log. Inside its transaction, holding the
  /// end, the store calls `seal` once with the committed state; `seal` numbers the entries,
  /// extends the frontier, names the tree nodes it completes and signs the head, and the store
  /// writes all of it or nothing. The outbox messages of `outbox_sent` (AuditRecord::outbox)
  /// are deleted in the same transaction, so that sending them costs no commit of its own.
  virtual Status commit(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent,
                        const Sealer& seal) = 0;

  /// After a failed commit, before the next: ends whatever the failure left open (a
  /// transaction not rolled back) and reloads what the store keeps in memory from what is
  /// committed. Until it succeeds, commits are refused.
  virtual Status recover() = 0;

  using EntryVisitor = std::function<bool(const StoredEntry&)>;  ///< return false to stop
  using HeadVisitor = std::function<bool(const StoredTreeHead&)>;
  using NodeVisitor = std::function<bool(const StoredNode&)>;

  /// Entries with begin <= seq < end in sequence order, as stored (gaps and all).
  virtual Status read_entries(std::uint64_t begin, std::uint64_t end, const EntryVisitor& visit) = 0;

  /// Recorded leaf hashes of seq in [begin, end); corrupt when one is missing.
  virtual Result<std::vector<Hash>> read_leaf_hashes(std::uint64_t begin, std::uint64_t end) = 0;

  /// Whether the log keeps its tree's interior nodes. false only for a reader of a log whose
  /// schema predates them, which no writer has opened since (a writer adds them); proofs then
  /// read every leaf hash.
  virtual Result<bool> has_tree_nodes() = 0;

  /// Stored nodes of `level` (a stored level: tree_nodes.hpp) with begin <= index < end, in
  /// index order, as stored (gaps and all).
  virtual Status read_tree_nodes(unsigned level, std::uint64_t begin, std::uint64_t end,
                                 const NodeVisitor& visit) = 0;

  /// The number of stored node rows at any level, but for the nodes of subtrees that end
  /// beyond the first `tree_size` entries (a writer may be adding those as this reads).
  virtual Result<std::uint64_t> count_tree_nodes(std::uint64_t tree_size) = 0;

  /// Every stored tree head, in the order they were issued.
  virtual Status read_tree_heads(const HeadVisitor& visit) = 0;

  virtual Result<std::optional<SignedTreeHead>> latest_tree_head() = 0;

  /// The head of exactly `tree_size` entries, if one was issued.
  virtual Result<std::optional<SignedTreeHead>> tree_head_at(std::uint64_t tree_size) = 0;

  /// The number of rows (not the highest seq: they differ when rows were deleted).
  virtual Result<std::uint64_t> count_entries() = 0;

  /// Entries matching the filter, in sequence order.
  virtual Status query(const EntryFilter& filter, const EntryVisitor& visit) = 0;
  /// What is wrong with the index of entries by subject, checked against the entries
  /// (nullopt when it matches them): an index missing rows would hide entries from a
  /// citizen's view while the entries themselves verify.
  virtual Result<std::optional<std::string>> check_subject_index() = 0;

  /// The outbox messages commits wrote and delete_outbox has not removed, by seq (none from a
  /// log whose schema predates the outbox).
  virtual Result<std::vector<OutboxMessage>> read_outbox() = 0;
  /// Removes those of these entries in a transaction of its own (commit removes them with
  /// entries); any already gone is ignored.
  virtual Status delete_outbox(std::span<const std::uint64_t> seqs) = 0;
};

}  // namespace pse::audit

// AuditLog — the broker's tamper-evident, durable record of every exchange decision.
//
// No exchange leaves the broker before its audit entry is durable (ARCHITECTURE §5), so
// append() is asynchronous: it queues the entry and calls `on_durable` once the entry, and a
// signed tree head covering it, are committed to disk. The broker answers from that callback.
//
// Why group commit: a durable commit costs an fsync (0.25–0.45 ms on our disks, more on
// many), so one commit per entry caps the log at a few thousand entries per second. One writer thread
// takes everything queued (up to max_batch_entries), assigns sequence numbers, hashes each
// entry into the Merkle tree, signs ONE tree head for the batch and commits all of it in one
// transaction. A batch never waits to fill: under light load a lone entry is committed at
// once; under heavy load entries pile up while the previous commit syncs and go together.
// Signing per entry is out of the question at our target (Ed25519 signs ~20k/s per core).
//
// Thread safety: every public member may be called from any thread. Completions run on the
// writer thread: keep them short (post to your executor).
//
// When a commit fails (a full disk, an I/O error) the log becomes unavailable: that batch and
// every append after it are refused with `store_failed` — an audit log that cannot record
// must not let exchanges be approved. Once per `retry_interval` the writer tries the store
// again: it has the store end whatever the failure left open, reloads the frontier and the
// latest head from what is committed (never from its own memory, which held the failed
// batch), and commits a fresh head of that tree. Only when that head is durable does the log
// take appends again. health() says which state it is in; the broker's readiness and
// metrics follow it. One error line is logged when it goes down, one info line when it is
// back.
#pragma once

#include "audit/audit_config.hpp"
#include "audit/audit_entry.hpp"
#include "audit/audit_keys.hpp"
#include "audit/audit_store.hpp"
#include "audit/result.hpp"
#include "audit/tree_head.hpp"
#include "base/group_commit.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace pse::audit {

struct InclusionProof {
  std::uint64_t seq = 0;
  std::uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> path;
};

struct ConsistencyProof {
  std::uint64_t old_size = 0;
  std::uint64_t new_size = 0;
  std::vector<Hash> path;
};

/// Inclusion proof of `seq` in the tree of `tree_size` entries, from the store's tree nodes and
/// recorded leaf hashes (O(log tree_size) reads: tree_nodes.hpp; the proof is checked by
/// whoever receives it).
Result<InclusionProof> build_inclusion_proof(AuditStore& store, std::uint64_t seq, std::uint64_t tree_size);
Result<ConsistencyProof> build_consistency_proof(AuditStore& store, std::uint64_t old_size,
                                                 std::uint64_t new_size);

struct AuditLogOptions {
  std::size_t max_batch_entries = 1024;
  std::size_t max_pending_entries = 65536;
  /// Queued appends of one organisation's requests (AuditRecord::requested_by) at most: the
  /// queue is shared fairly, and one body's flood cannot make every other body's exchange
  /// fail closed.
  std::size_t max_pending_per_org = 8192;
  /// While unavailable, the time between two attempts to commit again.
  std::chrono::milliseconds retry_interval{1000};
};

/// Whether the log can commit now, for readiness probes and metrics.
struct AuditHealth {
  bool available = true;              ///< false from a failed commit until the store commits again
  std::uint64_t commit_failures = 0;  ///< failed commits since open, retries while unavailable included
};

class AuditLog {
 public:
  /// The sequence number of the entry, once durable.
  using AppendResult = Result<std::uint64_t>;
  using Completion = std::function<void(AppendResult)>;

  /// Opens (creating if needed) the SQLite log and loads the keys from config.key_dir.
  /// Throws ConfigError for bad keys, an unusable database, or a database whose writer state
  /// contradicts its signed tree heads (run `pse-audit verify`).
  static std::unique_ptr<AuditLog> open(const AuditConfig& config);

  /// The same on another store (config.database unused): one for the writer, one for readers.
  static std::unique_ptr<AuditLog> open(const AuditConfig& config, std::unique_ptr<AuditStore> writer_store,
                                        std::unique_ptr<AuditStore> reader_store);

  /// For other backends: a store for the writer and one for readers, on the same data.
  static std::unique_ptr<AuditLog> open(std::unique_ptr<AuditStore> writer_store,
                                        std::unique_ptr<AuditStore> reader_store, SigningKey signing_key,
                                        SubjectHashKey subject_key, AuditLogOptions options);

  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  /// Queues the record; `on_durable` runs exactly once, with the sequence number or an error
  /// (invalid_entry, overloaded, share_exceeded, closed: at once on the caller's thread;
  /// store_failed: at once while unavailable, else on the writer thread).
  void append(AuditRecord record, Completion on_durable);
  std::future<AppendResult> append(AuditRecord record);

  /// Issues a head now (on demand) and returns it once durable; with nothing new since the
  /// last head it re-signs the same tree with a fresh time.
  Result<SignedTreeHead> sign_tree_head();

  /// The newest durable head; std::nullopt while the log is empty.
  std::optional<SignedTreeHead> latest_tree_head() const;

  /// The outbox messages of durable entries not yet marked sent (AuditRecord::outbox): at
  /// start-up, those a stop or a crash left behind.
  Result<std::vector<OutboxMessage>> outbox();
  /// Entry `seq`'s outbox message was sent (or given up): the writer deletes it soon after. A
  /// message whose deletion is lost to a crash is found again by outbox().
  void outbox_done(std::uint64_t seq);

  Result<InclusionProof> prove_inclusion(std::uint64_t seq, std::uint64_t tree_size);
  Result<ConsistencyProof> prove_consistency(std::uint64_t old_size, std::uint64_t new_size);

  const PublicKey& public_key() const noexcept { return signing_key_.public_key(); }

  AuditHealth health() const noexcept;

  /// Commits everything queued, then stops the writer. Later appends fail with `closed`.
  void close();

 private:
  struct Pending {
    AuditEntry entry;
    Completion on_durable;
  };
  using HeadRequest = std::promise<Result<SignedTreeHead>>;
  struct OutboxDone {
    std::uint64_t seq = 0;
  };
  using Op = std::variant<Pending, HeadRequest, OutboxDone>;

  AuditLog(std::unique_ptr<AuditStore> writer_store, std::unique_ptr<AuditStore> reader_store,
           SigningKey signing_key, SubjectHashKey subject_key, AuditLogOptions options, WriterState state);

  void commit_group(std::span<Op> ops);
  void commit_entries(std::span<Op> ops);
  Result<SignedTreeHead> commit_head_only();
  /// Seals a batch at the committed end of the log; the head it signs goes to `head_out`.
  Sealer sealer(SignedTreeHead& head_out);
  void publish_head(const SignedTreeHead& head);
  void become_unavailable(const AuditError& cause);
  bool try_to_recover();

  std::unique_ptr<AuditStore> writer_store_;
  std::unique_ptr<AuditStore> reader_store_;
  std::mutex reader_mutex_;  // guards reader_store_
  SigningKey signing_key_;
  SubjectHashKey subject_key_;
  AuditLogOptions options_;

  // Writer-thread state.
  std::vector<AuditEntry> batch_entries_;

  mutable std::mutex head_mutex_;
  std::optional<SignedTreeHead> published_head_;

  // Guarded by the writer's lock (writer_.locked):
  // queued entries by requesting organisation, emptied when the writer takes the queue;
  std::unordered_map<std::string, std::size_t> queued_by_org_;
  std::optional<AuditError> failure_;  // set while unavailable: from a failed commit to a recovery
  // Writer-thread state while unavailable.
  std::chrono::steady_clock::time_point unavailable_since_;
  std::chrono::steady_clock::time_point next_retry_;
  std::string last_retry_error_;

  std::atomic<bool> available_{true};
  std::atomic<std::uint64_t> commit_failures_{0};

  GroupCommitWriter<Op> writer_;  // last: its thread stops before the members it uses go
};

}  // namespace pse::audit

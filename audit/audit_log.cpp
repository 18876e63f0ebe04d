#include "audit/audit_log.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "audit/tree_nodes.hpp"

#include <algorithm>

namespace pse::audit {

namespace {

// Hashes of the tree of `tree_size` entries: from the stored nodes when the log keeps them
// (O(log n) reads); from every leaf hash when it does not (a reader of a log that no writer
// has upgraded yet).
Result<std::vector<Hash>> roots_of(AuditStore& store, std::uint64_t tree_size, const std::vector<LeafRange>& ranges) {
  auto has_nodes = store.has_tree_nodes();
  if (!has_nodes) return has_nodes.error();
  if (*has_nodes) return StoredTree(store, tree_size).roots_of(ranges);
  auto leaves = store.read_leaf_hashes(0, tree_size);
  if (!leaves) return leaves.error();
  std::vector<Hash> roots;
  for (const LeafRange& range : ranges) {
    roots.push_back(merkle_root(std::span(*leaves).subspan(range.begin, range.end - range.begin)));
  }
  return roots;
}

}  // namespace

Result<InclusionProof> build_inclusion_proof(AuditStore& store, std::uint64_t seq, std::uint64_t tree_size) {
  if (seq >= tree_size) {
    return make_error(AuditErrorCode::invalid_argument,
                      "entry " + std::to_string(seq) + " is not in a tree of " + std::to_string(tree_size));
  }
  auto leaf = store.read_leaf_hashes(seq, seq + 1);
  if (!leaf) return leaf.error();
  auto path = roots_of(store, tree_size, inclusion_proof_ranges(seq, tree_size));
  if (!path) return path.error();
  return InclusionProof{seq, tree_size, leaf->front(), std::move(path).value()};
}

Result<ConsistencyProof> build_consistency_proof(AuditStore& store, std::uint64_t old_size,
                                                 std::uint64_t new_size) {
  if (old_size > new_size) {
    return make_error(AuditErrorCode::invalid_argument, "the old tree must not be larger than the new one");
  }
  auto path = roots_of(store, new_size, consistency_proof_ranges(old_size, new_size));
  if (!path) return path.error();
  return ConsistencyProof{old_size, new_size, std::move(path).value()};
}

std::unique_ptr<AuditLog> AuditLog::open(const AuditConfig& config) {
  auto writer = SqliteAuditStore::open(config.database, SqliteAuditStore::Access::writer);
  if (!writer) throw ConfigError(config.database, 0, writer.error().message);
  auto reader = SqliteAuditStore::open(config.database, SqliteAuditStore::Access::read_only);
  if (!reader) throw ConfigError(config.database, 0, reader.error().message);
  return open(config, std::move(writer).value(), std::move(reader).value());
}

std::unique_ptr<AuditLog> AuditLog::open(const AuditConfig& config, std::unique_ptr<AuditStore> writer_store,
                                         std::unique_ptr<AuditStore> reader_store) {
  AuditLogOptions options;
  options.max_batch_entries = config.max_batch_entries;
  options.max_pending_entries = config.max_pending_entries;
  options.max_pending_per_org = config.max_pending_per_org;
  return open(std::move(writer_store), std::move(reader_store), load_signing_key(config.key_dir / signing_key_file),
              load_subject_hash_key(config.key_dir / subject_key_file), options);
}

std::unique_ptr<AuditLog> AuditLog::open(std::unique_ptr<AuditStore> writer_store,
                                         std::unique_ptr<AuditStore> reader_store, SigningKey signing_key,
                                         SubjectHashKey subject_key, AuditLogOptions options) {
  auto state = writer_store->load_writer_state();
  if (!state) throw ConfigError("audit store", 0, state.error().message);
  if (state->latest_head && !verify_tree_head(*state->latest_head, signing_key.public_key())) {
    throw ConfigError("audit store", 0,
                      "the latest tree head is not signed by this signing key; run pse-audit verify");
  }
  options.max_batch_entries = std::max<std::size_t>(options.max_batch_entries, 1);
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(writer_store), std::move(reader_store),
                                                std::move(signing_key), std::move(subject_key), options,
                                                std::move(state).value()));
}

AuditLog::AuditLog(std::unique_ptr<AuditStore> writer_store, std::unique_ptr<AuditStore> reader_store,
                   SigningKey signing_key, SubjectHashKey subject_key, AuditLogOptions options,
                   WriterState state)
    : writer_store_(std::move(writer_store)),
      reader_store_(std::move(reader_store)),
      signing_key_(std::move(signing_key)),
      subject_key_(std::move(subject_key)),
      options_(options),
      published_head_(state.latest_head),
      // Idle ticks let a log that cannot commit try again with nothing queued.
      writer_({options.max_batch_entries, options.retry_interval}, [this](std::span<Op> ops) { commit_group(ops); },
              [this](std::span<const Op>) { queued_by_org_.clear(); }) {
  writer_.start();
}

AuditLog::~AuditLog() { close(); }

void AuditLog::close() { writer_.close(); }

void AuditLog::append(AuditRecord record, Completion on_durable) {
  if (auto valid = validate(record); !valid) {
    on_durable(valid.error());
    return;
  }
  // The subject is hashed here, on the caller's thread: the clear id never reaches the queue,
  // and the writer thread stays free for what only it can do.
  AuditEntry entry;
  entry.time = record.time != 0 ? record.time : now_micros();
  entry.request_id = std::move(record.request_id);
  entry.consumer = std::move(record.consumer);
  entry.provider = std::move(record.provider);
  entry.category = std::move(record.category);
  entry.purpose = std::move(record.purpose);
  entry.decision = record.decision;
  entry.reason = std::move(record.reason);
  entry.rule_id = std::move(record.rule_id);
  entry.basis_type = record.basis_type;
  entry.basis = std::move(record.basis);
  entry.permitted_fields = std::move(record.permitted_fields);
  entry.payload_hash = record.payload_hash;
  entry.obligations = std::move(record.obligations);
  entry.subject_hash = record.subject_hash ? *record.subject_hash : subject_key_.hash(record.subject_id);
  entry.answer = std::move(record.answer);
  entry.outbox = std::move(record.outbox);
  std::string& requester = record.requested_by.empty() ? entry.consumer : record.requested_by;

  std::optional<AuditError> refusal = writer_.locked([&](std::vector<Op>& queue, bool closing) {
    std::optional<AuditError> refused;
    if (failure_) {
      refused = *failure_;
    } else if (closing) {
      refused = make_error(AuditErrorCode::closed, "the audit log is closed");
    } else if (queue.size() >= options_.max_pending_entries) {
      refused = make_error(AuditErrorCode::overloaded, "the audit log has too many pending entries");
    } else if (std::size_t& queued = queued_by_org_[requester]; queued >= options_.max_pending_per_org) {
      refused = make_error(AuditErrorCode::share_exceeded,
                           "'" + requester + "' holds its whole share of the audit log's pending entries");
    } else {
      ++queued;
      queue.emplace_back(Pending{std::move(entry), std::move(on_durable)});
    }
    return refused;
  });
  if (refusal) on_durable(std::move(*refusal));
}

std::future<AuditLog::AppendResult> AuditLog::append(AuditRecord record) {
  auto promise = std::make_shared<std::promise<AppendResult>>();
  auto future = promise->get_future();
  append(std::move(record), [promise](AppendResult result) { promise->set_value(std::move(result)); });
  return future;
}

Result<SignedTreeHead> AuditLog::sign_tree_head() {
  std::future<Result<SignedTreeHead>> future;
  std::optional<AuditError> refusal = writer_.locked([&](std::vector<Op>& queue, bool closing) {
    if (failure_) return failure_;
    if (closing) return std::optional(make_error(AuditErrorCode::closed, "the audit log is closed"));
    future = std::get<HeadRequest>(queue.emplace_back(std::in_place_type<HeadRequest>)).get_future();
    return std::optional<AuditError>();
  });
  if (refusal) return *refusal;
  return future.get();
}

std::optional<SignedTreeHead> AuditLog::latest_tree_head() const {
  std::lock_guard lock(head_mutex_);
  return published_head_;
}

Result<std::vector<OutboxMessage>> AuditLog::outbox() {
  std::lock_guard lock(reader_mutex_);
  return reader_store_->read_outbox();
}

void AuditLog::outbox_done(std::uint64_t seq) {
  writer_.locked([&](std::vector<Op>& queue, bool closing) {
    if (!closing) queue.emplace_back(OutboxDone{seq});
  });
}

Result<InclusionProof> AuditLog::prove_inclusion(std::uint64_t seq, std::uint64_t tree_size) {
  const auto head = latest_tree_head();
  if (!head || tree_size > head->tree_size) {
    return make_error(AuditErrorCode::invalid_argument, "no signed tree head covers that size yet");
  }
  std::lock_guard lock(reader_mutex_);
  return build_inclusion_proof(*reader_store_, seq, tree_size);
}

Result<ConsistencyProof> AuditLog::prove_consistency(std::uint64_t old_size, std::uint64_t new_size) {
  const auto head = latest_tree_head();
  if (!head || new_size > head->tree_size) {
    return make_error(AuditErrorCode::invalid_argument, "no signed tree head covers that size yet");
  }
  std::lock_guard lock(reader_mutex_);
  return build_consistency_proof(*reader_store_, old_size, new_size);
}

void AuditLog::commit_group(std::span<Op> ops) {
  const std::optional<AuditError> unavailable = writer_.locked([this](auto&, bool) { return failure_; });
  if (unavailable) {
    // Queued before the failure was known: refused like every append since.
    for (Op& op : ops) {
      if (auto* pending = std::get_if<Pending>(&op)) pending->on_durable(*unavailable);
      if (auto* request = std::get_if<HeadRequest>(&op)) request->set_value(*unavailable);
    }
    if (std::chrono::steady_clock::now() >= next_retry_) try_to_recover();
    return;
  }
  commit_entries(ops);
  for (Op& op : ops) {
    // Always a new head, so that "on demand" also means "with a fresh time".
    if (auto* request = std::get_if<HeadRequest>(&op)) request->set_value(commit_head_only());
  }
}

AuditHealth AuditLog::health() const noexcept {
  return AuditHealth{available_.load(std::memory_order_relaxed), commit_failures_.load(std::memory_order_relaxed)};
}

void AuditLog::become_unavailable(const AuditError& cause) {
  writer_.locked([&](auto&, bool) { failure_ = cause; });
  available_.store(false, std::memory_order_relaxed);
  commit_failures_.fetch_add(1, std::memory_order_relaxed);
  unavailable_since_ = std::chrono::steady_clock::now();
  next_retry_ = unavailable_since_ + options_.retry_interval;
  last_retry_error_.clear();
  log::error("audit log cannot commit; every exchange is refused (audit_unavailable) until it can",
             {{"detail", cause.message}, {"retry_ms", options_.retry_interval.count()}});
}

// On the writer thread, while unavailable. The frontier and the last head in memory may hold
// the batch that failed: both are read again from what the store has committed.
bool AuditLog::try_to_recover() {
  next_retry_ = std::chrono::steady_clock::now() + options_.retry_interval;
  auto attempt = [this]() -> Status {
    if (auto status = writer_store_->recover(); !status) return status;
    auto state = writer_store_->load_writer_state();
    if (!state) return state.error();
    if (state->latest_head && !verify_tree_head(*state->latest_head, signing_key_.public_key())) {
      return make_error(AuditErrorCode::corrupt, "the latest tree head is not signed by this signing key");
    }
    // A head of the committed tree, durable, is the proof that the store commits again.
    SignedTreeHead head;
    if (auto status = writer_store_->commit({}, {}, sealer(head)); !status) return status;
    publish_head(head);
    return Ok{};
  };
  if (auto status = attempt(); !status) {
    commit_failures_.fetch_add(1, std::memory_order_relaxed);
    // The outage was logged once; a store that now fails for another reason than being
    // unable to write (corrupt, not signed by our key) is worth a line.
    if (status.error().code != AuditErrorCode::store_failed && status.error().message != last_retry_error_) {
      last_retry_error_ = status.error().message;
      log::warn("audit log still cannot commit", {{"detail", last_retry_error_}});
    }
    return false;
  }
  writer_.locked([this](auto&, bool) { failure_.reset(); });
  available_.store(true, std::memory_order_relaxed);
  const auto down_for = std::chrono::steady_clock::now() - unavailable_since_;
  log::info("audit log commits again",
            {{"unavailable_ms", std::chrono::duration_cast<std::chrono::milliseconds>(down_for).count()},
             {"tree_size", latest_tree_head() ? latest_tree_head()->tree_size : 0}});
  return true;
}

Sealer AuditLog::sealer(SignedTreeHead& head_out) {
  return [this, &head_out](const WriterState& committed, std::span<AuditEntry> entries) {
    SealedBatch sealed;
    sealed.frontier = committed.frontier;
    sealed.leaf_hashes.reserve(entries.size());
    for (AuditEntry& entry : entries) {
      entry.seq = sealed.frontier.size();
      const Hash leaf = entry_leaf_hash(entry);
      append_leaf(sealed.frontier, leaf, sealed.nodes);
      sealed.leaf_hashes.push_back(leaf);
    }
    SignedTreeHead& head = sealed.head;
    head.tree_size = sealed.frontier.size();
    head.root = sealed.frontier.root();
    // Head times never go backwards, even if the clock does; each head names the one before.
    const auto& previous = committed.latest_head;
    head.time = std::max(now_micros(), previous ? previous->time : 0);
    if (previous) head.previous = tree_head_digest(*previous);
    audit::sign_tree_head(head, signing_key_);
    head_out = head;
    return sealed;
  };
}

void AuditLog::publish_head(const SignedTreeHead& head) {
  std::lock_guard lock(head_mutex_);
  published_head_ = head;
}

// Outbox messages sent since go in the same transaction as the entries; with no entries to
// commit, in one of their own. A deletion lost to a failure leaves the message to be sent again
// after a restart: a duplicate its recipient recognises, never a loss.
void AuditLog::commit_entries(std::span<Op> ops) {
  batch_entries_.clear();
  std::vector<Pending*> pending;
  std::vector<std::uint64_t> outbox_sent;
  for (Op& op : ops) {
    if (auto* done = std::get_if<OutboxDone>(&op)) outbox_sent.push_back(done->seq);
    auto* append = std::get_if<Pending>(&op);
    if (append == nullptr) continue;
    batch_entries_.push_back(std::move(append->entry));
    pending.push_back(append);
  }
  if (pending.empty()) {
    if (!outbox_sent.empty()) (void)writer_store_->delete_outbox(outbox_sent);
    return;
  }
  SignedTreeHead head;
  if (auto status = writer_store_->commit(batch_entries_, outbox_sent, sealer(head)); status) {
    publish_head(head);
    for (std::size_t i = 0; i < pending.size(); ++i) pending[i]->on_durable(batch_entries_[i].seq);
  } else {
    const AuditError failure =
        make_error(AuditErrorCode::store_failed, "audit commit failed: " + status.error().message);
    become_unavailable(failure);
    for (Pending* append : pending) append->on_durable(failure);
  }
}

Result<SignedTreeHead> AuditLog::commit_head_only() {
  if (auto failure = writer_.locked([this](auto&, bool) { return failure_; })) return *failure;
  SignedTreeHead head;
  if (auto status = writer_store_->commit({}, {}, sealer(head)); !status) {
    AuditError failure = make_error(AuditErrorCode::store_failed, "audit commit failed: " + status.error().message);
    become_unavailable(failure);
    return failure;
  }
  publish_head(head);
  return head;
}

}  // namespace pse::audit

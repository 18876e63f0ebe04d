#include "broker/queue/delivery_queue.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"
#include "broker/queue/sqlite_queue_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <set>

namespace pse::queue {
namespace {

constexpr std::size_t max_name_bytes = 256;
constexpr std::size_t max_ordering_key_bytes = 128;
constexpr std::size_t max_reason_bytes = 200;
constexpr std::uint64_t purge_chunk = 10'000;
constexpr auto purge_interval = std::chrono::minutes(1);

std::int64_t to_us(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

TimePoint from_us(std::int64_t micros) {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

void append_field(std::string& out, std::string_view field) {
  const auto size = static_cast<std::uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  out.append(field);
}

// Binds a ciphertext to its row: moving it to another row (another id, subscriber or event)
// makes its tag fail.
std::string associated_data(std::uint64_t id, std::string_view subscriber, std::string_view event_id) {
  std::string out = "pse-queue-v1";
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((id >> shift) & 0xff));
  append_field(out, subscriber);
  append_field(out, event_id);
  return out;
}

// What an open-time error names: the SQLite file, or the store it was handed.
std::filesystem::path store_name(const QueueOptions& options) {
  return options.path.empty() ? std::filesystem::path("delivery queue store") : options.path;
}

void require_active_key(const QueueOptions& options, const QueueKeyring& keyring) {
  if (!keyring.contains(keyring.active_id())) {
    throw ConfigError(store_name(options), 0, "the queue keyring does not hold its active key");
  }
}

std::optional<QueueError> check_name(std::string_view what, std::string_view value, std::size_t max) {
  if (value.empty() || value.size() > max) {
    return make_error(QueueErrorCode::invalid_argument,
                      std::string(what) + " must be 1 to " + std::to_string(max) + " bytes");
  }
  return std::nullopt;
}

}  // namespace

// What one transaction changed, applied to the in-memory state once it commits.
struct DeliveryQueue::BatchEffects {
  struct Delta {
    std::int64_t pending = 0;
    std::int64_t dead = 0;
    bool oldest_changed = false;
  };
  std::map<std::string, Delta, std::less<>> deltas;
  std::set<std::string, std::less<>> ready;  // subscribers to wake
  std::vector<std::pair<std::string, std::uint64_t>> settled;
  std::vector<std::pair<PublishOp*, PublishAck>> published;
  std::vector<std::pair<std::shared_ptr<std::promise<Result<std::uint64_t>>>, Result<std::uint64_t>>> replayed;
  std::vector<std::shared_ptr<std::promise<Status>>> flushed;
};

std::unique_ptr<DeliveryQueue> DeliveryQueue::open(QueueOptions options, QueueKeyring keyring) {
  // Checked before the file is created: a missing key leaves nothing behind.
  require_active_key(options, keyring);
  auto writer = SqliteQueueStore::open(options.path, SqliteQueueStore::Access::writer);
  if (!writer) throw ConfigError(options.path, 0, writer.error().message);
  auto reader = SqliteQueueStore::open(options.path, SqliteQueueStore::Access::reader);
  if (!reader) throw ConfigError(options.path, 0, reader.error().message);
  return open(std::move(options), std::move(keyring), std::move(writer).value(), std::move(reader).value());
}

std::unique_ptr<DeliveryQueue> DeliveryQueue::open(QueueOptions options, QueueKeyring keyring,
                                                   std::unique_ptr<QueueStore> writer,
                                                   std::unique_ptr<QueueStore> reader) {
  require_active_key(options, keyring);
  auto next_id = writer->load_next_id();
  if (!next_id) throw ConfigError(store_name(options), 0, next_id.error().message);
  auto counts = writer->load_counts();
  if (!counts) throw ConfigError(store_name(options), 0, counts.error().message);
  options.max_batch_ops = std::max<std::size_t>(options.max_batch_ops, 1);
  options.max_attempts = std::max<std::uint32_t>(options.max_attempts, 1);
  options.retry_jitter = std::clamp(options.retry_jitter, 0.0, 1.0);
  if (!options.clock) options.clock = [] { return Clock::now(); };
  std::unique_ptr<DeliveryQueue> queue(
      new DeliveryQueue(std::move(options), std::move(keyring), std::move(writer), std::move(reader), *next_id));
  for (const StoredCounts& stored : *counts) {
    SubscriberState& state = queue->subscribers_[stored.subscriber];
    state.pending = stored.pending;
    state.dead = stored.dead;
  }
  queue->writer_.start();
  return queue;
}

DeliveryQueue::DeliveryQueue(QueueOptions options, QueueKeyring keyring, std::unique_ptr<QueueStore> writer,
                             std::unique_ptr<QueueStore> reader, std::uint64_t next_id)
    : options_(std::move(options)),
      keyring_(std::move(keyring)),
      writer_store_(std::move(writer)),
      next_id_(next_id),
      shared_(writer_store_->shared()),
      reader_store_(std::move(reader)),
      // Idle ticks let a queue that cannot commit try again with nothing queued.
      writer_({options_.max_batch_ops, kRecoveryInterval}, [this](std::span<Op> ops) { commit_batch(ops); },
              [this](std::span<const Op> taken) {
                for (const Op& op : taken) {
                  if (const auto* publish = std::get_if<PublishOp>(&op)) {
                    --queued_publishes_;
                    queued_bytes_ -= publish->bytes;
                  }
                }
              }) {}

DeliveryQueue::~DeliveryQueue() { close(); }

void DeliveryQueue::close() { writer_.close(); }

TimePoint DeliveryQueue::now() const { return options_.clock(); }

void DeliveryQueue::on_ready(ReadyCallback callback) {
  std::lock_guard lock(state_mutex_);
  on_ready_ = std::move(callback);
}

std::optional<QueueError> DeliveryQueue::refusal(const Op& op, std::size_t queued, bool closing) const {
  if (failure_) return failure_;
  if (closing) return make_error(QueueErrorCode::closed, "the delivery queue is closed");
  if (const auto* publish = std::get_if<PublishOp>(&op)) {
    // A publish larger than max_pending_bytes on its own still goes through an empty queue.
    if (queued_publishes_ >= options_.max_pending_ops ||
        (queued_bytes_ > 0 && queued_bytes_ + publish->bytes > options_.max_pending_bytes)) {
      return make_error(QueueErrorCode::overloaded, "the delivery queue has too many pending publishes");
    }
  } else if (!std::holds_alternative<FlushOp>(op) && queued >= 2 * options_.max_pending_ops) {
    return make_error(QueueErrorCode::overloaded, "the delivery queue has too many pending operations");
  }
  return std::nullopt;
}

std::optional<QueueError> DeliveryQueue::submit(Op& op) {
  return writer_.locked([&](std::vector<Op>& queue, bool closing) {
    std::optional<QueueError> refused = refusal(op, queue.size(), closing);
    if (refused) return refused;
    if (const auto* publish = std::get_if<PublishOp>(&op)) {
      ++queued_publishes_;
      queued_bytes_ += publish->bytes;
    }
    queue.push_back(std::move(op));
    return refused;
  });
}

void DeliveryQueue::publish(NewEvent event, std::vector<NewDelivery> deliveries, PublishCompletion on_durable) {
  std::optional<QueueError> error = check_name("publisher", event.publisher, max_name_bytes);
  if (!error) error = check_name("idempotency key", event.idempotency_key, max_name_bytes);
  if (!error) error = check_name("event id", event.event_id, max_name_bytes);
  if (!error) error = check_name("category", event.category, max_name_bytes);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < deliveries.size() && !error; ++i) {
    const NewDelivery& delivery = deliveries[i];
    error = check_name("subscriber", delivery.subscriber, max_name_bytes);
    if (!error) error = check_name("ordering key", delivery.ordering_key, max_ordering_key_bytes);
    if (!error && (delivery.priority < 0 || delivery.priority > kMaxPriority)) {
      error = make_error(QueueErrorCode::invalid_argument,
                         "priority must be 0 to " + std::to_string(kMaxPriority));
    }
    if (!error && delivery.payload.size() > options_.max_payload_bytes) {
      error = make_error(QueueErrorCode::payload_too_large,
                         "payload of " + std::to_string(delivery.payload.size()) + " bytes for " +
                             delivery.subscriber + " exceeds the limit of " +
                             std::to_string(options_.max_payload_bytes));
    }
    bytes += delivery.payload.size();
  }
  if (error) {
    on_durable(std::move(*error));
    return;
  }
  Op op = PublishOp{std::move(event), std::move(deliveries), std::move(on_durable), bytes};
  if (auto refused = submit(op)) std::get<PublishOp>(op).on_durable(std::move(*refused));
}

std::future<DeliveryQueue::PublishResult> DeliveryQueue::publish(NewEvent event, std::vector<NewDelivery> deliveries) {
  auto promise = std::make_shared<std::promise<PublishResult>>();
  auto future = promise->get_future();
  publish(std::move(event), std::move(deliveries),
          [promise](PublishResult result) { promise->set_value(std::move(result)); });
  return future;
}

void DeliveryQueue::hold(SubscriberState& state, const std::string& key) { ++state.busy[key]; }

void DeliveryQueue::unhold(SubscriberState& state, const std::string& key) {
  const auto found = state.busy.find(key);
  if (found != state.busy.end() && --found->second == 0) state.busy.erase(found);
}

Result<TakeResult> DeliveryQueue::take_ready(const std::string& subscriber, TimePoint now, std::size_t max) {
  if (auto refused = writer_.locked([this](auto&, bool closing) {
        return closing && !failure_ ? make_error(QueueErrorCode::closed, "the delivery queue is closed") : failure_;
      })) {
    return *refused;
  }
  TakeResult taken;
  if (max == 0) return taken;
  std::lock_guard lock(state_mutex_);
  SubscriberState* found = worth_reading(subscriber);
  if (!found) return taken;
  SubscriberState& state = *found;
  // Heads of busy keys may come first; ask for enough rows to skip them all.
  auto rows = reader_store_->ready_heads(subscriber, to_us(now), max + state.busy.size(), max,
                                        [&state](const std::string& key) { return state.busy.contains(key); },
                                        to_us(now + options_.ack_timeout + kClaimMargin));
  if (!rows) return rows.error();
  for (ReadyRow& row : *rows) {
    auto payload = keyring_.open(row.sealed.key_id, row.sealed.nonce, row.sealed.ciphertext,
                                 associated_data(row.id, subscriber, row.event_id));
    hold(state, row.ordering_key);
    if (!payload) {
      state.unreadable.emplace(row.id, row.ordering_key);
      taken.unreadable.push_back(UnreadableDelivery{
          row.id, row.event_id,
          make_error(payload.error().code, "delivery " + std::to_string(row.id) + ": " + payload.error().message)});
      continue;
    }
    state.in_flight.emplace(row.id, InFlight{row.ordering_key, row.attempts, now + options_.ack_timeout});
    Delivery delivery;
    delivery.id = row.id;
    delivery.subscriber = subscriber;
    delivery.event_id = std::move(row.event_id);
    delivery.publisher = std::move(row.publisher);
    delivery.category = std::move(row.category);
    delivery.ordering_key = std::move(row.ordering_key);
    delivery.attempt = row.attempts + 1;
    delivery.stored_at = from_us(row.stored_at_us);
    delivery.payload = std::move(payload).value();
    taken.deliveries.push_back(std::move(delivery));
  }
  return taken;
}

std::chrono::microseconds DeliveryQueue::backoff(std::uint32_t attempts) const {
  using std::chrono::microseconds;
  const auto initial = std::chrono::duration_cast<microseconds>(options_.retry_initial);
  const auto cap = std::chrono::duration_cast<microseconds>(options_.retry_max);
  microseconds delay = initial;
  for (std::uint32_t i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  if (options_.retry_jitter > 0 && delay.count() > 0) {
    const double share = options_.retry_jitter * randombytes_uniform(1'000'001) / 1'000'000.0;
    delay -= microseconds(static_cast<std::int64_t>(share * static_cast<double>(delay.count())));
  }
  return delay;
}

Status DeliveryQueue::settle(SubscriberState& state, const std::string& subscriber, std::uint64_t id, TimePoint now,
                             std::string_view reason, bool ack) {
  const auto found = state.in_flight.find(id);
  if (found == state.in_flight.end()) {
    return make_error(QueueErrorCode::not_in_flight,
                      "delivery " + std::to_string(id) + " is not in flight for " + subscriber);
  }
  Op op;
  if (ack) {
    op = AckOp{subscriber, id, found->second.ordering_key};
  } else {
    NackOp nack;
    nack.subscriber = subscriber;
    nack.id = id;
    nack.ordering_key = found->second.ordering_key;
    nack.attempts = found->second.attempts + 1;
    nack.dead = nack.attempts >= options_.max_attempts;
    nack.next_attempt_us = to_us(now) + backoff(nack.attempts).count();
    nack.reason = std::string(reason.substr(0, max_reason_bytes));
    op = std::move(nack);
  }
  if (auto refused = submit(op)) return std::move(*refused);
  // Still holding its key: the next delivery of the key waits for this one's commit.
  state.settling.emplace(id, std::move(found->second.ordering_key));
  state.in_flight.erase(found);
  return Ok{};
}

Status DeliveryQueue::ack(const std::string& subscriber, std::uint64_t delivery_id) {
  std::lock_guard lock(state_mutex_);
  const auto found = subscribers_.find(subscriber);
  if (found == subscribers_.end()) {
    return make_error(QueueErrorCode::not_in_flight,
                      "delivery " + std::to_string(delivery_id) + " is not in flight for " + subscriber);
  }
  return settle(found->second, subscriber, delivery_id, TimePoint{}, {}, true);
}

Status DeliveryQueue::nack(const std::string& subscriber, std::uint64_t delivery_id, TimePoint now,
                           std::string_view reason) {
  std::lock_guard lock(state_mutex_);
  const auto found = subscribers_.find(subscriber);
  if (found == subscribers_.end()) {
    return make_error(QueueErrorCode::not_in_flight,
                      "delivery " + std::to_string(delivery_id) + " is not in flight for " + subscriber);
  }
  return settle(found->second, subscriber, delivery_id, now, reason, false);
}

std::size_t DeliveryQueue::release_in_flight(const std::string& subscriber) {
  std::lock_guard lock(state_mutex_);
  const auto found = subscribers_.find(subscriber);
  if (found == subscribers_.end()) return 0;
  SubscriberState& state = found->second;
  std::vector<std::uint64_t> ids;
  ids.reserve(state.in_flight.size());
  for (const auto& [id, flight] : state.in_flight) {
    unhold(state, flight.ordering_key);
    ids.push_back(id);
  }
  state.in_flight.clear();
  // Failing here only delays them: the claims end on their own at their deadline.
  if (auto released = reader_store_->release_claims(subscriber, ids); !released) {
    log::warn("delivery claims not released; they end at their deadline", {{"detail", released.error().message}});
  }
  return ids.size();
}

std::size_t DeliveryQueue::expire_in_flight(TimePoint now) {
  std::lock_guard lock(state_mutex_);
  std::size_t expired = 0;
  for (auto& [subscriber, state] : subscribers_) {
    std::vector<std::uint64_t> due;
    for (const auto& [id, flight] : state.in_flight) {
      if (flight.deadline <= now) due.push_back(id);
    }
    for (const std::uint64_t id : due) {
      // When the writer is overloaded the delivery stays in flight and expires at a later call.
      if (settle(state, subscriber, id, now, "ack timeout", false)) ++expired;
    }
  }
  return expired;
}

std::optional<TimePoint> DeliveryQueue::next_expiry() const {
  std::lock_guard lock(state_mutex_);
  std::optional<TimePoint> earliest;
  for (const auto& [subscriber, state] : subscribers_) {
    for (const auto& [id, flight] : state.in_flight) {
      if (!earliest || flight.deadline < *earliest) earliest = flight.deadline;
    }
  }
  return earliest;
}

Result<std::optional<TimePoint>> DeliveryQueue::next_due(const std::string& subscriber) {
  std::lock_guard lock(state_mutex_);
  const SubscriberState* found = worth_reading(subscriber);
  if (!found) return std::optional<TimePoint>{};
  const SubscriberState& state = *found;
  auto heads = reader_store_->heads_by_due(subscriber, state.busy.size() + 1);
  if (!heads) return heads.error();
  for (const HeadDue& head : *heads) {
    if (!state.busy.contains(head.ordering_key)) return std::optional<TimePoint>(from_us(head.due_us));
  }
  return std::optional<TimePoint>{};
}

Result<std::vector<DeadLetter>> DeliveryQueue::list_dead(const std::string& subscriber, std::size_t limit) {
  std::lock_guard lock(state_mutex_);
  auto rows = reader_store_->dead_letters(subscriber, limit);
  if (!rows) return rows.error();
  std::vector<DeadLetter> letters;
  letters.reserve(rows->size());
  for (DeadRow& row : *rows) {
    letters.push_back(DeadLetter{row.id, std::move(row.subscriber), std::move(row.event_id), std::move(row.publisher),
                                 std::move(row.category), row.attempts, from_us(row.stored_at_us),
                                 std::move(row.last_error)});
  }
  return letters;
}

Result<std::uint64_t> DeliveryQueue::replay_dead(std::uint64_t delivery_id) {
  auto done = std::make_shared<std::promise<Result<std::uint64_t>>>();
  auto future = done->get_future();
  Op op = ReplayOp{delivery_id, {}, done};
  if (auto refused = submit(op)) return std::move(*refused);
  return future.get();
}

Result<std::uint64_t> DeliveryQueue::replay_dead_all(const std::string& subscriber) {
  if (auto error = check_name("subscriber", subscriber, max_name_bytes)) return std::move(*error);
  auto done = std::make_shared<std::promise<Result<std::uint64_t>>>();
  auto future = done->get_future();
  Op op = ReplayOp{std::nullopt, subscriber, done};
  if (auto refused = submit(op)) return std::move(*refused);
  return future.get();
}

Status DeliveryQueue::flush() {
  auto done = std::make_shared<std::promise<Status>>();
  auto future = done->get_future();
  Op op = FlushOp{done};
  if (auto refused = submit(op)) return std::move(*refused);
  return future.get();
}

DeliveryQueue::SubscriberState* DeliveryQueue::worth_reading(const std::string& subscriber) {
  // Other brokers publish into a shared store without this one's counts knowing: read anyway.
  if (shared_) return &subscribers_[subscriber];
  const auto found = subscribers_.find(subscriber);
  return found == subscribers_.end() || found->second.pending == 0 ? nullptr : &found->second;
}

void DeliveryQueue::reload_counts() {
  auto counts = reader_store_->load_counts();
  if (!counts) return;  // the counts of memory then, a moment old
  for (auto& [subscriber, state] : subscribers_) {
    state.pending = 0;
    state.dead = 0;
    state.oldest_known = false;
  }
  for (const StoredCounts& stored : *counts) {
    SubscriberState& state = subscribers_[stored.subscriber];
    state.pending = stored.pending;
    state.dead = stored.dead;
  }
}

std::vector<SubscriberStats> DeliveryQueue::stats(TimePoint now) {
  std::lock_guard lock(state_mutex_);
  if (shared_) reload_counts();  // every broker's publishes and acks
  std::vector<SubscriberStats> all;
  for (auto& [subscriber, state] : subscribers_) {
    if (state.pending == 0 && state.dead == 0 && state.in_flight.empty() && state.settling.empty()) continue;
    SubscriberStats stats;
    stats.subscriber = subscriber;
    stats.in_flight = state.in_flight.size() + state.settling.size();
    stats.unreadable = state.unreadable.size();
    const std::uint64_t not_ready = stats.in_flight + stats.unreadable;
    stats.ready = state.pending > not_ready ? state.pending - not_ready : 0;
    stats.dead = state.dead;
    if (state.pending > 0) {
      if (!state.oldest_known) {
        // One indexed read, only after the oldest delivery changed.
        auto oldest = reader_store_->oldest_pending(subscriber);
        if (oldest) {
          state.oldest_us = *oldest;
          state.oldest_known = true;
        }
      }
      if (state.oldest_us) {
        const auto age = std::chrono::duration<double>(now - from_us(*state.oldest_us)).count();
        stats.oldest_pending_age_seconds = std::max(0.0, age);
      }
    }
    all.push_back(std::move(stats));
  }
  return all;
}

Status DeliveryQueue::apply(Op& op, BatchEffects& effects) {
  QueueStore& store = *writer_store_;
  if (auto* publish = std::get_if<PublishOp>(&op)) {
    NewEvent& event = publish->event;
    auto original = store.find_event(event.publisher, event.idempotency_key);
    if (!original) return original.error();
    if (*original) {
      effects.published.emplace_back(publish, PublishAck{**original, true, 0});
      return Ok{};
    }
    const std::int64_t stored_at = to_us(now());
    if (auto status = store.insert_idempotency(event.publisher, event.idempotency_key, event.event_id, stored_at);
        !status) {
      return status;
    }
    for (NewDelivery& delivery : publish->deliveries) {
      StoredDelivery row;
      row.id = next_id_++;
      row.sealed = keyring_.seal(delivery.payload, associated_data(row.id, delivery.subscriber, event.event_id));
      sodium_memzero(delivery.payload.data(), delivery.payload.size());
      row.subscriber = std::move(delivery.subscriber);
      row.ordering_key = std::move(delivery.ordering_key);
      row.event_id = event.event_id;
      row.publisher = event.publisher;
      row.category = event.category;
      row.stored_at_us = stored_at;
      row.priority = delivery.priority;
      if (auto status = store.insert_delivery(row); !status) return status;
      auto& delta = effects.deltas[row.subscriber];
      ++delta.pending;
      effects.ready.insert(row.subscriber);
    }
    effects.published.emplace_back(publish, PublishAck{event.event_id, false, publish->deliveries.size()});
    return Ok{};
  }
  if (auto* ack = std::get_if<AckOp>(&op)) {
    auto deleted = store.delete_delivery(ack->id);
    if (!deleted) return deleted.error();
    if (auto status = store.refresh_head(ack->subscriber, ack->ordering_key); !status) return status;
    auto& delta = effects.deltas[ack->subscriber];
    if (*deleted) --delta.pending;
    delta.oldest_changed = true;
    effects.settled.emplace_back(ack->subscriber, ack->id);
    effects.ready.insert(ack->subscriber);
    return Ok{};
  }
  if (auto* nack = std::get_if<NackOp>(&op)) {
    auto updated = store.update_attempt(nack->id, nack->attempts, nack->next_attempt_us, nack->dead, nack->reason);
    if (!updated) return updated.error();
    if (auto status = store.refresh_head(nack->subscriber, nack->ordering_key); !status) return status;
    if (nack->dead && *updated) {
      auto& delta = effects.deltas[nack->subscriber];
      --delta.pending;
      ++delta.dead;
      delta.oldest_changed = true;
    }
    effects.settled.emplace_back(nack->subscriber, nack->id);
    effects.ready.insert(nack->subscriber);
    return Ok{};
  }
  if (auto* replay = std::get_if<ReplayOp>(&op)) {
    const std::int64_t now_us = to_us(now());
    std::string subscriber = replay->subscriber;
    std::uint64_t revived = 0;
    const auto revive = [&](std::uint64_t id, const std::string& key) -> Status {
      if (auto status = store.revive(id, now_us); !status) return status;
      ++revived;
      return store.refresh_head(subscriber, key);
    };
    if (replay->id) {
      auto location = store.locate(*replay->id);
      if (!location) return location.error();
      if (!*location || !(*location)->dead) {
        effects.replayed.emplace_back(
            replay->done, make_error(QueueErrorCode::not_found,
                                     "delivery " + std::to_string(*replay->id) + " is not a dead letter"));
        return Ok{};
      }
      subscriber = (*location)->subscriber;
      if (auto status = revive(*replay->id, (*location)->ordering_key); !status) return status;
    } else {
      // In chunks, so that a million dead letters never sit in memory at once.
      for (std::uint64_t after = 0;;) {
        auto dead = store.dead_ids(subscriber, after, 10'000);
        if (!dead) return dead.error();
        if (dead->empty()) break;
        for (const auto& [id, key] : *dead) {
          if (auto status = revive(id, key); !status) return status;
        }
        after = dead->back().first;
      }
    }
    if (revived > 0) {
      auto& delta = effects.deltas[subscriber];
      delta.pending += static_cast<std::int64_t>(revived);
      delta.dead -= static_cast<std::int64_t>(revived);
      delta.oldest_changed = true;
      effects.ready.insert(subscriber);
    }
    effects.replayed.emplace_back(replay->done, revived);
    return Ok{};
  }
  effects.flushed.push_back(std::get<FlushOp>(op).done);
  return Ok{};
}

// On the writer thread, while the queue refuses everything. Nothing in memory changed for the
// batch that failed; what the store committed is read again, in case that batch's commit went
// through after all (a connection lost after COMMIT was sent).
bool DeliveryQueue::try_to_recover() {
  writer_store_->rollback();
  auto next = writer_store_->load_next_id();
  if (!next) return false;
  auto counts = writer_store_->load_counts();
  if (!counts) return false;
  next_id_ = std::max(next_id_, *next);
  {
    std::lock_guard lock(state_mutex_);
    for (auto& [subscriber, state] : subscribers_) {
      state.pending = 0;
      state.dead = 0;
      state.oldest_known = false;
    }
    for (const StoredCounts& stored : *counts) {
      SubscriberState& state = subscribers_[stored.subscriber];
      state.pending = stored.pending;
      state.dead = stored.dead;
    }
  }
  writer_.locked([this](auto&, bool) { failure_.reset(); });
  log::info("delivery queue commits again", {{"next_delivery_id", next_id_}});
  return true;
}

void DeliveryQueue::sweep_abandoned_claims() {
  next_sweep_ = std::chrono::steady_clock::now() + kClaimSweepInterval;
  auto released = writer_store_->release_abandoned_claims();
  if (!released) {
    log::warn("abandoned delivery claims not swept", {{"detail", released.error().message}});
    return;
  }
  if (released->empty()) return;
  ReadyCallback wake;
  {
    std::lock_guard lock(state_mutex_);
    wake = on_ready_;
  }
  log::info("ended the delivery claims of a stopped broker", {{"subscribers", released->size()}});
  if (wake) {
    for (const std::string& subscriber : *released) wake(subscriber);
  }
}

void DeliveryQueue::commit_batch(std::span<Op> ops) {
  std::optional<QueueError> failure = writer_.locked([this](auto&, bool) { return failure_; });
  if (failure && std::chrono::steady_clock::now() >= next_recovery_) {
    if (try_to_recover()) {
      failure.reset();
    } else {
      next_recovery_ = std::chrono::steady_clock::now() + kRecoveryInterval;
    }
  }
  if (!failure && std::chrono::steady_clock::now() >= next_sweep_) sweep_abandoned_claims();
  if (ops.empty()) return;  // an idle tick
  BatchEffects effects;
  if (!failure) {
    auto status = writer_store_->begin();
    // Other brokers may have taken ids since this one's last batch (begin() holds the id row on
    // PostgreSQL until commit): go on after the highest.
    if (status) {
      if (auto next = writer_store_->load_next_id(); next) {
        next_id_ = std::max(next_id_, *next);
      } else {
        status = next.error();
      }
    }
    const TimePoint time = now();
    if (status && time >= next_purge_) {
      auto purged = writer_store_->purge_idempotency(to_us(time - options_.idempotency_retention), purge_chunk);
      if (!purged) status = purged.error();
      // A full chunk means more are due: purge again at the next batch.
      else next_purge_ = *purged == purge_chunk ? time : time + purge_interval;
    }
    for (std::size_t i = 0; i < ops.size() && status; ++i) status = apply(ops[i], effects);
    for (const auto& [subscriber, delta] : effects.deltas) {
      if (!status) break;
      if (delta.pending != 0 || delta.dead != 0) status = writer_store_->add_counts(subscriber, delta.pending, delta.dead);
    }
    if (status) status = writer_store_->save_next_id(next_id_);
    if (status && !effects.ready.empty()) status = writer_store_->announce(effects.ready);
    if (status) {
      status = writer_store_->commit();
    } else {
      writer_store_->rollback();
    }
    if (!status) {
      failure = make_error(QueueErrorCode::store_failed, "delivery queue commit failed: " + status.error().message);
      writer_.locked([&](auto&, bool) { failure_ = failure; });
      next_recovery_ = std::chrono::steady_clock::now() + kRecoveryInterval;
      log::error("delivery queue cannot commit; publishes and acks are refused until it can",
                 {{"detail", status.error().message}, {"retry_ms", kRecoveryInterval.count()}});
    }
  }

  ReadyCallback wake;
  {
    // Settle in-memory state under the state mutex, so a take_ready either sees the old
    // database with the key still held, or the committed database.
    std::lock_guard lock(state_mutex_);
    for (const auto& [subscriber, id] : effects.settled) {
      SubscriberState& state = subscribers_[subscriber];
      if (const auto found = state.settling.find(id); found != state.settling.end()) {
        unhold(state, found->second);
        state.settling.erase(found);
      }
    }
    if (failure) {
      // Nothing of the batch is stored; acks and nacks in it release their keys (redelivery).
      for (Op& op : ops) {
        const std::string* subscriber = nullptr;
        std::uint64_t id = 0;
        if (const auto* ack = std::get_if<AckOp>(&op)) {
          subscriber = &ack->subscriber;
          id = ack->id;
        } else if (const auto* nack = std::get_if<NackOp>(&op)) {
          subscriber = &nack->subscriber;
          id = nack->id;
        } else {
          continue;
        }
        SubscriberState& state = subscribers_[*subscriber];
        if (const auto found = state.settling.find(id); found != state.settling.end()) {
          unhold(state, found->second);
          state.settling.erase(found);
        }
      }
    } else {
      for (const auto& [subscriber, delta] : effects.deltas) {
        SubscriberState& state = subscribers_[subscriber];
        const bool was_empty = state.pending == 0;
        state.pending = static_cast<std::uint64_t>(static_cast<std::int64_t>(state.pending) + delta.pending);
        state.dead = static_cast<std::uint64_t>(static_cast<std::int64_t>(state.dead) + delta.dead);
        if (delta.oldest_changed || was_empty) state.oldest_known = false;
      }
      wake = on_ready_;
    }
  }

  if (failure) {
    for (Op& op : ops) {
      if (auto* publish = std::get_if<PublishOp>(&op)) publish->on_durable(*failure);
      if (auto* replay = std::get_if<ReplayOp>(&op)) replay->done->set_value(*failure);
      if (auto* flush = std::get_if<FlushOp>(&op)) flush->done->set_value(*failure);
    }
    return;
  }
  // Wake-ups first: whoever waits on a completion finds the wake-up already delivered.
  if (wake) {
    for (const std::string& subscriber : effects.ready) wake(subscriber);
  }
  for (auto& [publish, ack] : effects.published) publish->on_durable(std::move(ack));
  for (auto& [done, result] : effects.replayed) done->set_value(std::move(result));
  for (auto& done : effects.flushed) done->set_value(Ok{});
}

}  // namespace pse::queue

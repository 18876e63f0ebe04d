// DeliveryQueue — durable per-subscriber delivery queues for publish/subscribe.
//
// The broker decides, per event, which subscribers may receive it (policy, consent) and hands
// the queue one NewDelivery per entitled subscriber with the minimised payload. The queue:
//
// * publish(): stores the event's idempotency record and ALL its deliveries in one transaction
//   of its store (QueueStore: an SQLite file, or PostgreSQL); the completion runs once they are
//   committed (durable across SIGKILL and power loss). One writer thread with group commit, as
//   in the audit log: it takes everything queued (up to max_batch_ops per transaction) and
//   never waits for a batch to fill. Idempotency: (publisher, idempotency_key) already stored → nothing is
//   inserted and the completion gets the ORIGINAL event_id with duplicate = true. Keys are kept
//   at least idempotency_retention, then purged by the writer.
// * Payloads at rest are sealed with XChaCha20-Poly1305 (QueueKeyring): random nonce per row,
//   key id in the row, associated data = (delivery id, subscriber, event id), so a row's
//   ciphertext cannot be swapped with another's. A row that does not open (unknown key id,
//   failed tag) is reported in TakeResult::unreadable, left in place, and its ordering key is
//   held back until restart. No payload byte ever appears in an error message.
// * take_ready(): up to `max` due deliveries of one subscriber, decrypted, the highest priority
//   (NewDelivery::priority, the category's D) first and by due time within one. Strict order per
//   ordering key (the broker passes a keyed hash of the subject): only the oldest pending
//   delivery of a key is ever eligible, and never while another of the same key is in flight
//   or waiting for its ack/nack to commit. Taken deliveries are in flight (in memory) until
//   ack, nack, release_in_flight (connection lost: ready again, no attempt counted) or
//   expire_in_flight (ack timeout: a failed attempt). nack and timeout: attempts+1, next try
//   after an exponential backoff (retry_initial doubling up to retry_max, minus up to
//   retry_jitter of it at random); at max_attempts the row becomes a dead letter, and the next
//   delivery of that key goes ahead.
// * At least once: ack deletes the row through the writer (group committed). After a crash,
//   every stored unacknowledged delivery is ready again; nothing committed is lost.
// * Several brokers on one PostgreSQL store: a delivery taken is claimed in the store until
//   ack_timeout + kClaimMargin, so no other broker hands it out meanwhile; release_in_flight
//   ends the claims at once; the claims of a broker that stopped heartbeating are ended by the
//   others' writers (kClaimSweepInterval). A late ack or nack of a row another broker has
//   settled since changes nothing. Each commit announces the subscribers it made something
//   ready for (QueueStore::announce: a NOTIFY the other brokers' queue listeners hear), and
//   reads are not gated on this queue's counts, which miss the other brokers' publishes;
//   stats() reads the counts from the store.
// * Dead letters: list_dead (metadata only), replay_dead / replay_dead_all (attempts reset,
//   ready at once, durable before they return).
// * stats(): per subscriber ready / in flight / dead / unreadable and the age of the oldest
//   pending delivery, from in-memory counters kept in step with a counts table (right after a
//   restart, no COUNT(*)).
// * Scale: take_ready reads a (subscriber, priority, due) index over one "head" row per key;
//   nothing is loaded at start-up but the per-subscriber counts. A subscriber with millions
//   pending costs neither memory nor time per call.
//
// Thread safety: every public member may be called from any thread. Completions and the
// on_ready callback run on the writer thread: keep them short (post to your executor) and
// never call flush(), replay_dead*() or publish(...).get() from them (they wait for the writer).
// After a failed commit the queue refuses everything (`store_failed`); once a second its writer
// tries the store again, reloads the next id and the counts from what is committed, and takes
// operations again when that works — no restart needed when the database comes back.
#pragma once

#include "broker/queue/queue_error.hpp"
#include "broker/queue/queue_keyring.hpp"
#include "broker/queue/queue_store.hpp"
#include "base/group_commit.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace pse::queue {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

struct QueueOptions {
  std::filesystem::path path;                 ///< the SQLite file (created if missing); unused with stores
  std::size_t max_batch_ops = 1024;           ///< operations per transaction
  std::size_t max_pending_ops = 65536;        ///< publishes waiting for the writer (acks etc.: twice this)
  std::size_t max_pending_bytes = 256u << 20; ///< payload bytes waiting for the writer
  std::uint32_t max_attempts = 8;             ///< failed attempts before a dead letter
  std::chrono::milliseconds ack_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds retry_initial = std::chrono::seconds(1);
  std::chrono::milliseconds retry_max = std::chrono::minutes(10);
  double retry_jitter = 0.2;                  ///< each backoff is cut by a random share up to this
  std::chrono::hours idempotency_retention = std::chrono::hours(168);
  std::size_t max_payload_bytes = 1u << 20;
  /// Time of publishes and of key retention (tests inject a fake clock). Default: system clock.
  std::function<TimePoint()> clock;
};

struct NewEvent {
  std::string publisher;        ///< the publishing organisation
  std::string idempotency_key;  ///< chosen by the publisher
  std::string event_id;         ///< chosen by the broker
  std::string category;
};

struct NewDelivery {
  std::string subscriber;    ///< the receiving organisation
  std::string ordering_key;  ///< opaque, ≤ 128 bytes: deliveries of one key go in publish order
  std::string payload;       ///< the minimised record, ≤ max_payload_bytes
  /// The category's availability rating D (0–3): a subscriber's due deliveries of a higher
  /// priority are taken before those of a lower one, never ahead of an older one of their key.
  int priority = 0;
};

struct PublishAck {
  std::string event_id;  ///< the original event's id when duplicate
  bool duplicate = false;
  std::size_t deliveries = 0;  ///< rows stored (0 for a duplicate)
};

struct Delivery {
  std::uint64_t id = 0;
  std::string subscriber;
  std::string event_id;
  std::string publisher;
  std::string category;
  std::string ordering_key;
  std::uint32_t attempt = 1;  ///< 1 for the first delivery, 2 after one failed attempt…
  TimePoint stored_at;
  std::string payload;
};

/// A row that could not be opened (unknown_key or decrypt_failed). It stays stored; its
/// ordering key is held back until the queue is reopened (e.g. with the missing key).
struct UnreadableDelivery {
  std::uint64_t id = 0;
  std::string event_id;
  QueueError error;
};

struct TakeResult {
  std::vector<Delivery> deliveries;
  std::vector<UnreadableDelivery> unreadable;
};

struct DeadLetter {
  std::uint64_t id = 0;
  std::string subscriber;
  std::string event_id;
  std::string publisher;
  std::string category;
  std::uint32_t attempts = 0;
  TimePoint stored_at;
  std::string last_error;
};

struct SubscriberStats {
  std::string subscriber;
  std::uint64_t ready = 0;      ///< stored, not dead, not in flight, readable (includes backoff)
  std::uint64_t in_flight = 0;  ///< taken, awaiting ack/nack (or its commit)
  std::uint64_t dead = 0;
  std::uint64_t unreadable = 0;  ///< pending rows that failed to open since the queue was opened
  double oldest_pending_age_seconds = 0;  ///< 0 when nothing is pending
};

class DeliveryQueue {
 public:
  using PublishResult = Result<PublishAck>;
  using PublishCompletion = std::function<void(PublishResult)>;
  using ReadyCallback = std::function<void(const std::string& subscriber)>;

  /// Opens (creating if needed) the SQLite file at options.path. Throws pse::ConfigError for an
  /// unusable database or a keyring without its active key.
  static std::unique_ptr<DeliveryQueue> open(QueueOptions options, QueueKeyring keyring);
  /// On stores already open (any backend): `writer` for the writer thread, `reader` for reads.
  /// Loads the next id and the counts through `writer`. Throws pse::ConfigError as above.
  static std::unique_ptr<DeliveryQueue> open(QueueOptions options, QueueKeyring keyring,
                                             std::unique_ptr<QueueStore> writer, std::unique_ptr<QueueStore> reader);

  ~DeliveryQueue();
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  /// Queues the event and its deliveries (zero deliveries is fine: the key is still recorded).
  /// `on_durable` runs exactly once: invalid_argument, payload_too_large, overloaded, closed at
  /// once on the caller's thread; otherwise on the writer thread after the commit.
  void publish(NewEvent event, std::vector<NewDelivery> deliveries, PublishCompletion on_durable);
  std::future<PublishResult> publish(NewEvent event, std::vector<NewDelivery> deliveries);

  /// Up to `max` deliveries of `subscriber` due at `now`; they are in flight until ack/nack/
  /// release or now + ack_timeout.
  Result<TakeResult> take_ready(const std::string& subscriber, TimePoint now, std::size_t max);

  /// The subscriber processed it: the row is deleted (group committed). not_in_flight if the
  /// delivery is not in flight for that subscriber (late, duplicate or foreign ack).
  Status ack(const std::string& subscriber, std::uint64_t delivery_id);
  /// The subscriber failed: one failed attempt, retried after backoff or dead-lettered.
  /// `reason` is stored as the last error (no payload in it, ≤ 200 bytes kept).
  Status nack(const std::string& subscriber, std::uint64_t delivery_id, TimePoint now,
              std::string_view reason = "nack");
  /// Connection lost: all its in-flight deliveries are ready again now, no attempt counted.
  std::size_t release_in_flight(const std::string& subscriber);
  /// Ack timeouts: in-flight deliveries taken at or before now - ack_timeout fail one attempt.
  /// Returns how many expired. Call it from a timer armed at next_expiry().
  std::size_t expire_in_flight(TimePoint now);
  /// The earliest ack deadline among in-flight deliveries.
  std::optional<TimePoint> next_expiry() const;
  /// When the subscriber next has something to take (≤ now: at once); nullopt: nothing pending
  /// that is not in flight. Arm a timer at it after take_ready returns fewer than asked.
  Result<std::optional<TimePoint>> next_due(const std::string& subscriber);

  /// Dead letters, oldest first; an empty subscriber lists every subscriber's.
  Result<std::vector<DeadLetter>> list_dead(const std::string& subscriber, std::size_t limit);
  /// Back to ready with attempts reset; returns once durable. not_found if not a dead letter.
  Result<std::uint64_t> replay_dead(std::uint64_t delivery_id);
  /// Every dead letter of the subscriber; returns how many, once durable.
  Result<std::uint64_t> replay_dead_all(const std::string& subscriber);

  /// One entry per subscriber with anything stored or in flight, sorted by subscriber.
  std::vector<SubscriberStats> stats(TimePoint now);

  /// Called on the writer thread after a commit that changed what `subscriber` may take
  /// (new deliveries, acks and nacks settled, replays): call take_ready / next_due then.
  void on_ready(ReadyCallback callback);

  /// Waits until everything queued before the call is committed.
  Status flush();
  /// Commits everything queued, then stops the writer. Later calls fail with `closed`.
  void close();

 private:
  struct PublishOp {
    NewEvent event;
    std::vector<NewDelivery> deliveries;
    PublishCompletion on_durable;
    std::size_t bytes = 0;
  };
  struct AckOp {
    std::string subscriber;
    std::uint64_t id = 0;
    std::string ordering_key;
  };
  struct NackOp {
    std::string subscriber;
    std::uint64_t id = 0;
    std::string ordering_key;
    std::uint32_t attempts = 0;
    std::int64_t next_attempt_us = 0;
    bool dead = false;
    std::string reason;
  };
  struct ReplayOp {
    std::optional<std::uint64_t> id;  ///< one dead letter, or…
    std::string subscriber;           ///< …all of this subscriber's
    std::shared_ptr<std::promise<Result<std::uint64_t>>> done;
  };
  struct FlushOp {
    std::shared_ptr<std::promise<Status>> done;
  };
  using Op = std::variant<PublishOp, AckOp, NackOp, ReplayOp, FlushOp>;

  struct InFlight {
    std::string ordering_key;
    std::uint32_t attempts = 0;  ///< failed attempts before this one
    TimePoint deadline;
  };
  struct SubscriberState {
    std::uint64_t pending = 0;  ///< stored and not dead (committed)
    std::uint64_t dead = 0;
    std::unordered_map<std::uint64_t, InFlight> in_flight;
    std::unordered_map<std::uint64_t, std::string> settling;    ///< ack/nack queued, not committed
    std::unordered_map<std::uint64_t, std::string> unreadable;  ///< id → ordering key
    std::unordered_map<std::string, std::uint32_t> busy;        ///< keys held back, with a count
    std::optional<std::int64_t> oldest_us;
    bool oldest_known = false;
  };
  struct BatchEffects;

  DeliveryQueue(QueueOptions options, QueueKeyring keyring, std::unique_ptr<QueueStore> writer,
                std::unique_ptr<QueueStore> reader, std::uint64_t next_id);

  /// Queues `op` (moved from only when admitted) or says why not.
  std::optional<QueueError> submit(Op& op);
  std::optional<QueueError> refusal(const Op& op, std::size_t queued, bool closing) const;  // writer's lock held
  Status enqueue_settlement(Op op);
  Status settle(SubscriberState& state, const std::string& subscriber, std::uint64_t id, TimePoint now,
                std::string_view reason, bool ack);  // state_mutex_ held
  void hold(SubscriberState& state, const std::string& key);
  void unhold(SubscriberState& state, const std::string& key);
  std::chrono::microseconds backoff(std::uint32_t attempts) const;
  TimePoint now() const;

  /// The subscriber's state if the store may hold something for it, else nullptr (state_mutex_ held).
  SubscriberState* worth_reading(const std::string& subscriber);
  /// The counts as the store has them (state_mutex_ held).
  void reload_counts();
  void commit_batch(std::span<Op> ops);
  bool try_to_recover();
  /// Ends the claims of brokers that stopped (a store shared by several) and wakes their subscribers.
  void sweep_abandoned_claims();
  static constexpr std::chrono::milliseconds kRecoveryInterval{1000};
  static constexpr std::chrono::milliseconds kClaimSweepInterval{2000};
  /// A claim outlives the ack timeout by this much, so that the broker holding the delivery
  /// always settles it (a failed attempt) before another broker may take it.
  static constexpr std::chrono::milliseconds kClaimMargin{5000};
  Status apply(Op& op, BatchEffects& effects);

  QueueOptions options_;
  QueueKeyring keyring_;
  std::unique_ptr<QueueStore> writer_store_;        // writer thread only
  std::uint64_t next_id_;                           // writer thread only
  const bool shared_;                               // the store serves other brokers too
  TimePoint next_purge_{};                          // writer thread only
  std::chrono::steady_clock::time_point next_recovery_{};  // writer thread only
  std::chrono::steady_clock::time_point next_sweep_{};     // writer thread only

  mutable std::mutex state_mutex_;  // guards the members below and reader_store_
  std::unique_ptr<QueueStore> reader_store_;
  std::map<std::string, SubscriberState, std::less<>> subscribers_;
  ReadyCallback on_ready_;

  // Guarded by the writer's lock (writer_.locked):
  std::size_t queued_publishes_ = 0;
  std::size_t queued_bytes_ = 0;
  std::optional<QueueError> failure_;

  GroupCommitWriter<Op> writer_;  // last: its thread stops before the members it uses go
};

}  // namespace pse::queue

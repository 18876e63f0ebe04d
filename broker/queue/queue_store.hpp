// QueueStore — where the delivery queue keeps its rows: SQLite (sqlite_queue_store.hpp, one
// broker) or PostgreSQL (pg_queue_store.hpp, the hub's database).
//
// What a store holds (see docs/decisions/queue.md):
//   deliveries        one row per (event, subscriber): sealed payload, attempts, next attempt,
//                     dead flag; indexed by (subscriber, ordering_key, id)
//   heads             per (subscriber, ordering_key) with pending rows: the oldest pending row,
//                     when it is due and its priority. ready_heads reads only this table's
//                     (subscriber, priority, due) index, one range per priority, so a backlog of
//                     millions costs nothing per call.
//   idempotency_keys  (publisher, idempotency_key) → event_id, with the time stored
//   subscriber_counts pending and dead per subscriber, kept in the same transactions, so the
//                     in-memory counters are right after a restart without a COUNT(*)
//   queue_meta        the next delivery id (ids are never reused)
//
// DeliveryQueue holds two: a writer (used only by its writer thread, between begin() and
// commit(), plus the open-time loads) and a reader (used under its state mutex). Times are
// microseconds since the Unix epoch. Nothing here throws; failures are store_failed values
// carrying the database's own message, never payload bytes.
#pragma once

#include "broker/queue/queue_error.hpp"
#include "broker/queue/queue_keyring.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pse::queue {

/// Priorities run from 0 to this (the availability ratings D of the classification).
inline constexpr int kMaxPriority = 3;

/// A delivery as the writer inserts it.
struct StoredDelivery {
  std::uint64_t id = 0;
  std::string subscriber;
  std::string ordering_key;
  std::string event_id;
  std::string publisher;
  std::string category;
  std::int64_t stored_at_us = 0;
  int priority = 0;  ///< 0..kMaxPriority; its head takes it when the row becomes the head
  SealedPayload sealed;
};

/// A head that is due, with its sealed payload.
struct ReadyRow {
  std::uint64_t id = 0;
  std::string ordering_key;
  std::string event_id;
  std::string publisher;
  std::string category;
  std::uint32_t attempts = 0;
  std::int64_t stored_at_us = 0;
  SealedPayload sealed;
};

struct HeadDue {
  std::string ordering_key;
  std::int64_t due_us = 0;
};

struct DeadRow {
  std::uint64_t id = 0;
  std::string subscriber;
  std::string event_id;
  std::string publisher;
  std::string category;
  std::uint32_t attempts = 0;
  std::int64_t stored_at_us = 0;
  std::string last_error;
};

struct RowLocation {
  std::string subscriber;
  std::string ordering_key;
  bool dead = false;
};

struct StoredCounts {
  std::string subscriber;
  std::uint64_t pending = 0;
  std::uint64_t dead = 0;
};

class QueueStore {
 public:
  QueueStore() = default;
  QueueStore(const QueueStore&) = delete;
  QueueStore& operator=(const QueueStore&) = delete;
  virtual ~QueueStore() = default;

  /// true when several brokers use the store at once (PostgreSQL).
  virtual bool shared() const = 0;

  // ---- writer, between begin() and commit() ----
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;

  virtual Result<std::optional<std::string>> find_event(const std::string& publisher, const std::string& key) = 0;
  virtual Status insert_idempotency(const std::string& publisher, const std::string& key, const std::string& event_id,
                                    std::int64_t stored_at_us) = 0;
  /// Deletes up to `limit` keys stored before `before_us`; returns how many.
  virtual Result<std::uint64_t> purge_idempotency(std::int64_t before_us, std::uint64_t limit) = 0;

  /// Inserts the row, and makes it its key's head if the key has none.
  virtual Status insert_delivery(const StoredDelivery& delivery) = 0;
  /// false: no such row (another broker settled it after this one's claim ran out).
  virtual Result<bool> delete_delivery(std::uint64_t id) = 0;
  virtual Result<bool> update_attempt(std::uint64_t id, std::uint32_t attempts, std::int64_t next_attempt_us,
                                      bool dead, const std::string& last_error) = 0;
  /// Back to pending: attempts 0, due at `now_us`, no error.
  virtual Status revive(std::uint64_t id, std::int64_t now_us) = 0;
  /// The head of (subscriber, key) becomes its oldest pending row, unclaimed; no pending row, no head.
  virtual Status refresh_head(const std::string& subscriber, const std::string& ordering_key) = 0;
  virtual Result<std::optional<RowLocation>> locate(std::uint64_t id) = 0;
  /// Ids and ordering keys of up to `limit` of the subscriber's dead rows after `after_id`, oldest first.
  virtual Result<std::vector<std::pair<std::uint64_t, std::string>>> dead_ids(const std::string& subscriber,
                                                                              std::uint64_t after_id,
                                                                              std::uint64_t limit) = 0;
  virtual Status add_counts(const std::string& subscriber, std::int64_t pending_delta, std::int64_t dead_delta) = 0;
  /// Tells the other brokers sharing the store, once this transaction commits, that these
  /// subscribers have something new to take. A store of one broker has nobody to tell.
  virtual Status announce(const std::set<std::string, std::less<>>& subscribers) = 0;
  virtual Status save_next_id(std::uint64_t next_id) = 0;

  // ---- open time (writer, no transaction needed) ----
  virtual Result<std::uint64_t> load_next_id() = 0;
  /// Subscribers with anything pending or dead.
  virtual Result<std::vector<StoredCounts>> load_counts() = 0;

  /// Claims of brokers that stopped heartbeating (see ready_heads) end: those heads are due
  /// when their deliveries were. Returns the subscribers that have something to take again.
  /// Outside a transaction.
  virtual Result<std::vector<std::string>> release_abandoned_claims() = 0;

  // ---- reader ----
  /// Heads of `subscriber` due at `now_us`, highest priority first, then oldest due first (each
  /// head is its key's oldest pending row, so priority never reorders one key): at most `scan` are looked at and
  /// `take` returned; a head whose ordering key `skip` accepts is passed over, its payload unread.
  /// A store that several brokers share claims the heads it returns until `claim_until_us`
  /// (FOR UPDATE SKIP LOCKED, then their due time moves there): no other broker takes them
  /// before, unless this one stops heartbeating. Settling the delivery (refresh_head) ends the
  /// claim. A store of one broker (SQLite) claims nothing: the queue's memory is enough.
  virtual Result<std::vector<ReadyRow>> ready_heads(const std::string& subscriber, std::int64_t now_us,
                                                    std::uint64_t scan, std::size_t take,
                                                    const std::function<bool(const std::string&)>& skip,
                                                    std::int64_t claim_until_us) = 0;
  /// The claims on these deliveries' heads end (the subscriber's connection is gone): due again
  /// when they were before.
  virtual Status release_claims(const std::string& subscriber, const std::vector<std::uint64_t>& ids) = 0;
  /// Heads of `subscriber` by due time whatever their priority, at most `limit` (payloads not
  /// read): what next_due needs is the earliest time anything becomes takeable.
  virtual Result<std::vector<HeadDue>> heads_by_due(const std::string& subscriber, std::uint64_t limit) = 0;
  /// Stored time of the subscriber's oldest pending row.
  virtual Result<std::optional<std::int64_t>> oldest_pending(const std::string& subscriber) = 0;
  /// Dead rows, oldest first; an empty subscriber means every subscriber.
  virtual Result<std::vector<DeadRow>> dead_letters(const std::string& subscriber, std::uint64_t limit) = 0;
};

}  // namespace pse::queue

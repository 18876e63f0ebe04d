// SqliteQueueStore — the delivery queue's SQLite schema and every statement it runs.
//
// Tables (see docs/decisions/queue.md):
//   deliveries        one row per (event, subscriber): sealed payload, attempts, next attempt,
//                     dead flag; indexed by (subscriber, ordering_key, id)
//   heads             per (subscriber, ordering_key) with pending rows: the oldest pending row and
//                     when it is due. take_ready reads only this table's (subscriber, due) index,
//                     so a backlog of millions costs nothing per call.
//   idempotency_keys  (publisher, idempotency_key) → event_id, with the time stored
//   subscriber_counts pending and dead per subscriber, kept in the same transactions, so the
//                     in-memory counters are right after a restart without a COUNT(*)
//   queue_meta        the next delivery id (ids are never reused)
//
// One writer connection (used only by the queue's writer thread, between begin() and commit())
// and one reader connection (used under the queue's state mutex). Times are microseconds since
// the Unix epoch. Nothing here throws; failures are store_failed values with SQLite's message.
#pragma once

#include "base/sqlite.hpp"
#include "broker/queue/queue_error.hpp"
#include "broker/queue/queue_keyring.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pse::queue {

/// A delivery as the writer inserts it.
struct StoredDelivery {
  std::uint64_t id = 0;
  std::string subscriber;
  std::string ordering_key;
  std::string event_id;
  std::string publisher;
  std::string category;
  std::int64_t stored_at_us = 0;
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

class SqliteQueueStore {
 public:
  enum class Access { writer, reader };

  /// The writer creates the schema and sets WAL + synchronous=FULL; open it before a reader.
  static Result<std::unique_ptr<SqliteQueueStore>> open(const std::filesystem::path& file, Access access);

  // ---- writer connection, between begin() and commit() ----
  Status begin();
  Status commit();
  void rollback();

  Result<std::optional<std::string>> find_event(const std::string& publisher, const std::string& key);
  Status insert_idempotency(const std::string& publisher, const std::string& key, const std::string& event_id,
                            std::int64_t stored_at_us);
  /// Deletes up to `limit` keys stored before `before_us`; returns how many.
  Result<std::uint64_t> purge_idempotency(std::int64_t before_us, std::uint64_t limit);

  /// Inserts the row, and makes it its key's head if the key has none.
  Status insert_delivery(const StoredDelivery& delivery);
  Status delete_delivery(std::uint64_t id);
  Status update_attempt(std::uint64_t id, std::uint32_t attempts, std::int64_t next_attempt_us, bool dead,
                        const std::string& last_error);
  /// Back to pending: attempts 0, due at `now_us`, no error.
  Status revive(std::uint64_t id, std::int64_t now_us);
  /// The head of (subscriber, key) becomes its oldest pending row; no pending row, no head.
  Status refresh_head(const std::string& subscriber, const std::string& ordering_key);
  Result<std::optional<RowLocation>> locate(std::uint64_t id);
  /// Ids and ordering keys of up to `limit` of the subscriber's dead rows after `after_id`, oldest first.
  Result<std::vector<std::pair<std::uint64_t, std::string>>> dead_ids(const std::string& subscriber,
                                                                      std::uint64_t after_id, std::uint64_t limit);
  Status add_counts(const std::string& subscriber, std::int64_t pending_delta, std::int64_t dead_delta);
  Status save_next_id(std::uint64_t next_id);

  // ---- open time (writer connection, no transaction needed) ----
  Result<std::uint64_t> load_next_id();
  Result<std::vector<StoredCounts>> load_counts();

  // ---- reader connection ----
  /// Heads of `subscriber` due at `now_us`, oldest due first: at most `scan` are looked at and
  /// `take` returned; a head whose ordering key `skip` accepts is passed over unread.
  Result<std::vector<ReadyRow>> ready_heads(const std::string& subscriber, std::int64_t now_us, std::uint64_t scan,
                                            std::size_t take, const std::function<bool(const std::string&)>& skip);
  /// Heads of `subscriber` by due time, at most `limit` (payloads not read).
  Result<std::vector<HeadDue>> heads_by_due(const std::string& subscriber, std::uint64_t limit);
  /// Stored time of the subscriber's oldest pending row.
  Result<std::optional<std::int64_t>> oldest_pending(const std::string& subscriber);
  /// Dead rows, oldest first; an empty subscriber means every subscriber.
  Result<std::vector<DeadRow>> dead_letters(const std::string& subscriber, std::uint64_t limit);

 private:
  explicit SqliteQueueStore(pse::SqliteDatabase database) : database_(std::move(database)) {}
  Status prepare_writer();
  Status prepare_reader();

  pse::SqliteDatabase database_;
  // writer
  pse::SqliteStatement find_event_, insert_idempotency_, purge_idempotency_, insert_delivery_, insert_head_,
      delete_delivery_, update_attempt_, revive_, oldest_of_key_, upsert_head_, delete_head_, locate_, dead_ids_,
      add_counts_, save_next_id_;
  // reader
  pse::SqliteStatement ready_heads_, heads_by_due_, oldest_head_, dead_all_, dead_of_;
};

}  // namespace pse::queue

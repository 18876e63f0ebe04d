#include "broker/queue/sqlite_queue_store.hpp"

#include "base/sha256.hpp"

#include <string_view>

namespace pse::queue {
namespace {

// 2: deliveries and heads have a priority, read by ready_heads one priority at a time.
constexpr int schema_version = 2;

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS queue_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  next_delivery_id INTEGER NOT NULL
);
INSERT OR IGNORE INTO queue_meta (id, next_delivery_id) VALUES (1, 1);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  publisher TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  stored_at_us INTEGER NOT NULL,
  PRIMARY KEY (publisher, idempotency_key)
);
CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency_keys(stored_at_us);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY,
  subscriber TEXT NOT NULL,
  ordering_key BLOB NOT NULL,
  event_id TEXT NOT NULL,
  publisher TEXT NOT NULL,
  category TEXT NOT NULL,
  dead INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_us INTEGER NOT NULL,
  stored_at_us INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  key_id TEXT NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  priority INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_key ON deliveries(subscriber, ordering_key, id);
CREATE INDEX IF NOT EXISTS dead_deliveries ON deliveries(subscriber, id) WHERE dead = 1;
CREATE TABLE IF NOT EXISTS heads (
  subscriber TEXT NOT NULL,
  ordering_key BLOB NOT NULL,
  delivery_id INTEGER NOT NULL,
  due_us INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  PRIMARY KEY (subscriber, ordering_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS heads_by_due ON heads(subscriber, due_us, delivery_id);
CREATE INDEX IF NOT EXISTS heads_by_priority ON heads(subscriber, priority, due_us, delivery_id);
CREATE INDEX IF NOT EXISTS heads_by_id ON heads(subscriber, delivery_id);
CREATE TABLE IF NOT EXISTS subscriber_counts (
  subscriber TEXT PRIMARY KEY,
  pending INTEGER NOT NULL,
  dead INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// From schema 1. The rows stored before it read as priority 3, the highest: they were accepted
// when the queue delivered in due order, and they still go out in that order, before anything
// published after the upgrade. The default only fills the existing rows (no table rewrite);
// every insert names its priority.
constexpr std::string_view upgrade_to_2 = R"sql(
ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL DEFAULT 3;
ALTER TABLE heads ADD COLUMN priority INTEGER NOT NULL DEFAULT 3;
CREATE INDEX heads_by_priority ON heads(subscriber, priority, due_us, delivery_id);
)sql";

QueueError lift(const SqliteError& error) { return make_error(QueueErrorCode::store_failed, error.message); }

Status lift(const SqliteStatus& status) {
  if (!status) return lift(status.error());
  return Ok{};
}

std::span<const std::uint8_t> blob(std::string_view bytes) { return pse::as_bytes(bytes); }

std::int64_t signed_id(std::uint64_t id) { return static_cast<std::int64_t>(id); }

// Runs `statement` to its first row; false when there is none. The caller resets it.
Result<bool> first_row(pse::SqliteStatement& statement) {
  auto row = statement.step();
  if (!row) {
    statement.reset();
    return lift(row.error());
  }
  return *row;
}

}  // namespace

Result<std::unique_ptr<SqliteQueueStore>> SqliteQueueStore::open(const std::filesystem::path& file, Access access) {
  auto database = pse::SqliteDatabase::open(
      file, access == Access::writer ? pse::SqliteDatabase::Mode::read_write_create
                                     : pse::SqliteDatabase::Mode::read_only);
  if (!database) return lift(database.error());
  std::unique_ptr<SqliteQueueStore> store(new SqliteQueueStore(std::move(database).value()));
  auto version = store->database_.prepare("PRAGMA user_version");
  if (!version) return lift(version.error());
  auto has_row = first_row(*version);
  if (!has_row) return make_error(QueueErrorCode::store_failed, file.string() + ": " + has_row.error().message);
  const auto found_version = version->integer(0);
  version->reset();
  if (found_version > schema_version) {
    return make_error(QueueErrorCode::store_failed,
                      file.string() + ": queue schema version " + std::to_string(found_version) +
                          " is newer than this program (" + std::to_string(schema_version) + ")");
  }
  if (access == Access::reader) {
    if (found_version != schema_version) {
      return make_error(QueueErrorCode::store_failed, file.string() + ": not a delivery queue database");
    }
    if (auto status = store->prepare_reader(); !status) return status.error();
    return store;
  }
  // WAL: the reader never blocks the writer. synchronous=FULL: the WAL is fsync'ed at every
  // commit, so "durable" survives power loss, not only a killed process.
  for (const std::string_view pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536"}) {
    if (auto status = store->database_.execute(pragma); !status) return lift(status.error());
  }
  if (found_version < schema_version) {
    if (auto status = store->database_.execute("BEGIN IMMEDIATE"); !status) return lift(status.error());
    if (auto status = store->database_.execute(found_version == 0 ? schema : upgrade_to_2); !status) {
      (void)store->database_.execute("ROLLBACK");
      return lift(status.error());
    }
    if (auto status = store->database_.execute("PRAGMA user_version=" + std::to_string(schema_version)); !status) {
      (void)store->database_.execute("ROLLBACK");
      return lift(status.error());
    }
    if (auto status = store->database_.execute("COMMIT"); !status) return lift(status.error());
  }
  if (auto status = store->prepare_writer(); !status) return status.error();
  return store;
}

Status SqliteQueueStore::prepare_writer() {
  const auto prepare = [this](pse::SqliteStatement& into, std::string_view sql) -> Status {
    auto statement = database_.prepare(sql);
    if (!statement) return lift(statement.error());
    into = std::move(statement).value();
    return Ok{};
  };
  const std::pair<pse::SqliteStatement*, std::string_view> statements[] = {
      {&find_event_, "SELECT event_id FROM idempotency_keys WHERE publisher = ? AND idempotency_key = ?"},
      {&insert_idempotency_,
       "INSERT INTO idempotency_keys (publisher, idempotency_key, event_id, stored_at_us) VALUES (?,?,?,?)"},
      {&purge_idempotency_,
       "DELETE FROM idempotency_keys WHERE rowid IN "
       "(SELECT rowid FROM idempotency_keys WHERE stored_at_us < ? ORDER BY stored_at_us LIMIT ?)"},
      {&insert_delivery_,
       "INSERT INTO deliveries (id, subscriber, ordering_key, event_id, publisher, category, next_attempt_us, "
       "stored_at_us, key_id, nonce, ciphertext, priority) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"},
      {&insert_head_,
       "INSERT INTO heads (subscriber, ordering_key, delivery_id, due_us, priority) VALUES (?,?,?,?,?) "
       "ON CONFLICT (subscriber, ordering_key) DO NOTHING"},
      {&delete_delivery_, "DELETE FROM deliveries WHERE id = ?"},
      {&update_attempt_,
       "UPDATE deliveries SET attempts = ?, next_attempt_us = ?, dead = ?, last_error = ? WHERE id = ?"},
      {&revive_, "UPDATE deliveries SET dead = 0, attempts = 0, next_attempt_us = ?, last_error = '' WHERE id = ?"},
      {&oldest_of_key_,
       "SELECT id, next_attempt_us, priority FROM deliveries WHERE subscriber = ? AND ordering_key = ? "
       "AND dead = 0 ORDER BY id LIMIT 1"},
      {&upsert_head_,
       "INSERT INTO heads (subscriber, ordering_key, delivery_id, due_us, priority) VALUES (?,?,?,?,?) "
       "ON CONFLICT (subscriber, ordering_key) DO UPDATE SET delivery_id = excluded.delivery_id, "
       "due_us = excluded.due_us, priority = excluded.priority"},
      {&delete_head_, "DELETE FROM heads WHERE subscriber = ? AND ordering_key = ?"},
      {&locate_, "SELECT subscriber, ordering_key, dead FROM deliveries WHERE id = ?"},
      {&dead_ids_,
       "SELECT id, ordering_key FROM deliveries WHERE subscriber = ? AND dead = 1 AND id > ? ORDER BY id LIMIT ?"},
      {&add_counts_,
       "INSERT INTO subscriber_counts (subscriber, pending, dead) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (subscriber) DO UPDATE SET pending = pending + ?2, dead = dead + ?3"},
      {&save_next_id_, "UPDATE queue_meta SET next_delivery_id = ? WHERE id = 1"},
  };
  for (const auto& [into, sql] : statements) {
    if (auto status = prepare(*into, sql); !status) return status;
  }
  return Ok{};
}

Status SqliteQueueStore::prepare_reader() {
  const std::pair<pse::SqliteStatement*, std::string_view> statements[] = {
      {&ready_heads_,
       "SELECT h.delivery_id, h.ordering_key, d.event_id, d.publisher, d.category, d.attempts, d.stored_at_us, "
       "d.key_id, d.nonce, d.ciphertext FROM heads h INDEXED BY heads_by_priority "
       "JOIN deliveries d ON d.id = h.delivery_id "
       "WHERE h.subscriber = ? AND h.priority = ? AND h.due_us <= ? ORDER BY h.due_us, h.delivery_id LIMIT ?"},
      {&heads_by_due_, "SELECT ordering_key, due_us FROM heads WHERE subscriber = ? ORDER BY due_us, delivery_id LIMIT ?"},
      {&oldest_head_,
       "SELECT d.stored_at_us FROM heads h JOIN deliveries d ON d.id = h.delivery_id "
       "WHERE h.subscriber = ? ORDER BY h.delivery_id LIMIT 1"},
      {&dead_all_,
       "SELECT id, subscriber, event_id, publisher, category, attempts, stored_at_us, last_error "
       "FROM deliveries INDEXED BY dead_deliveries WHERE dead = 1 ORDER BY id LIMIT ?"},
      {&dead_of_,
       "SELECT id, subscriber, event_id, publisher, category, attempts, stored_at_us, last_error "
       "FROM deliveries WHERE subscriber = ? AND dead = 1 ORDER BY id LIMIT ?"},
  };
  for (const auto& [into, sql] : statements) {
    auto statement = database_.prepare(sql);
    if (!statement) return lift(statement.error());
    *into = std::move(statement).value();
  }
  return Ok{};
}

Status SqliteQueueStore::begin() { return lift(database_.execute("BEGIN IMMEDIATE")); }

Status SqliteQueueStore::commit() {
  if (auto status = database_.execute("COMMIT"); !status) {
    (void)database_.execute("ROLLBACK");
    return lift(status.error());
  }
  return Ok{};
}

void SqliteQueueStore::rollback() { (void)database_.execute("ROLLBACK"); }

Result<std::optional<std::string>> SqliteQueueStore::find_event(const std::string& publisher,
                                                                const std::string& key) {
  find_event_.bind(1, publisher);
  find_event_.bind(2, key);
  auto row = first_row(find_event_);
  if (!row) return row.error();
  std::optional<std::string> event_id;
  if (*row) event_id = find_event_.text(0);
  find_event_.reset();
  return event_id;
}

Status SqliteQueueStore::insert_idempotency(const std::string& publisher, const std::string& key,
                                            const std::string& event_id, std::int64_t stored_at_us) {
  insert_idempotency_.bind(1, publisher);
  insert_idempotency_.bind(2, key);
  insert_idempotency_.bind(3, event_id);
  insert_idempotency_.bind(4, stored_at_us);
  return lift(insert_idempotency_.run());
}

Result<std::uint64_t> SqliteQueueStore::purge_idempotency(std::int64_t before_us, std::uint64_t limit) {
  purge_idempotency_.bind(1, before_us);
  purge_idempotency_.bind(2, signed_id(limit));
  if (auto status = purge_idempotency_.run(); !status) return lift(status.error());
  auto changes = database_.prepare("SELECT changes()");
  if (!changes) return lift(changes.error());
  auto row = first_row(*changes);
  if (!row) return row.error();
  return static_cast<std::uint64_t>(changes->integer(0));
}

Status SqliteQueueStore::insert_delivery(const StoredDelivery& delivery) {
  insert_delivery_.bind(1, signed_id(delivery.id));
  insert_delivery_.bind(2, delivery.subscriber);
  insert_delivery_.bind_blob(3, blob(delivery.ordering_key));
  insert_delivery_.bind(4, delivery.event_id);
  insert_delivery_.bind(5, delivery.publisher);
  insert_delivery_.bind(6, delivery.category);
  insert_delivery_.bind(7, delivery.stored_at_us);
  insert_delivery_.bind(8, delivery.stored_at_us);
  insert_delivery_.bind(9, delivery.sealed.key_id);
  insert_delivery_.bind_blob(10, blob(delivery.sealed.nonce));
  insert_delivery_.bind_blob(11, blob(delivery.sealed.ciphertext));
  insert_delivery_.bind(12, std::int64_t{delivery.priority});
  if (auto status = insert_delivery_.run(); !status) return lift(status.error());
  insert_head_.bind(1, delivery.subscriber);
  insert_head_.bind_blob(2, blob(delivery.ordering_key));
  insert_head_.bind(3, signed_id(delivery.id));
  insert_head_.bind(4, delivery.stored_at_us);
  insert_head_.bind(5, std::int64_t{delivery.priority});
  return lift(insert_head_.run());
}

Result<bool> SqliteQueueStore::delete_delivery(std::uint64_t id) {
  delete_delivery_.bind(1, signed_id(id));
  if (auto status = lift(delete_delivery_.run()); !status) return status.error();
  return database_.changes() > 0;
}

Result<bool> SqliteQueueStore::update_attempt(std::uint64_t id, std::uint32_t attempts, std::int64_t next_attempt_us,
                                        bool dead, const std::string& last_error) {
  update_attempt_.bind(1, static_cast<std::int64_t>(attempts));
  update_attempt_.bind(2, next_attempt_us);
  update_attempt_.bind(3, std::int64_t{dead ? 1 : 0});
  update_attempt_.bind(4, last_error);
  update_attempt_.bind(5, signed_id(id));
  if (auto status = lift(update_attempt_.run()); !status) return status.error();
  return database_.changes() > 0;
}

Status SqliteQueueStore::revive(std::uint64_t id, std::int64_t now_us) {
  revive_.bind(1, now_us);
  revive_.bind(2, signed_id(id));
  return lift(revive_.run());
}

Status SqliteQueueStore::refresh_head(const std::string& subscriber, const std::string& ordering_key) {
  oldest_of_key_.bind(1, subscriber);
  oldest_of_key_.bind_blob(2, blob(ordering_key));
  auto row = first_row(oldest_of_key_);
  if (!row) return row.error();
  if (!*row) {
    oldest_of_key_.reset();
    delete_head_.bind(1, subscriber);
    delete_head_.bind_blob(2, blob(ordering_key));
    return lift(delete_head_.run());
  }
  const std::int64_t id = oldest_of_key_.integer(0);
  const std::int64_t due = oldest_of_key_.integer(1);
  const std::int64_t priority = oldest_of_key_.integer(2);
  oldest_of_key_.reset();
  upsert_head_.bind(1, subscriber);
  upsert_head_.bind_blob(2, blob(ordering_key));
  upsert_head_.bind(3, id);
  upsert_head_.bind(4, due);
  upsert_head_.bind(5, priority);
  return lift(upsert_head_.run());
}

Result<std::optional<RowLocation>> SqliteQueueStore::locate(std::uint64_t id) {
  locate_.bind(1, signed_id(id));
  auto row = first_row(locate_);
  if (!row) return row.error();
  std::optional<RowLocation> found;
  if (*row) found = RowLocation{locate_.text(0), locate_.blob(1), locate_.integer(2) != 0};
  locate_.reset();
  return found;
}

Result<std::vector<std::pair<std::uint64_t, std::string>>> SqliteQueueStore::dead_ids(const std::string& subscriber,
                                                                                     std::uint64_t after_id,
                                                                                     std::uint64_t limit) {
  dead_ids_.bind(1, subscriber);
  dead_ids_.bind(2, signed_id(after_id));
  dead_ids_.bind(3, signed_id(limit));
  std::vector<std::pair<std::uint64_t, std::string>> ids;
  while (true) {
    auto row = dead_ids_.step();
    if (!row) {
      dead_ids_.reset();
      return lift(row.error());
    }
    if (!*row) break;
    ids.emplace_back(static_cast<std::uint64_t>(dead_ids_.integer(0)), dead_ids_.blob(1));
  }
  dead_ids_.reset();
  return ids;
}

Status SqliteQueueStore::add_counts(const std::string& subscriber, std::int64_t pending_delta,
                                    std::int64_t dead_delta) {
  add_counts_.bind(1, subscriber);
  add_counts_.bind(2, pending_delta);
  add_counts_.bind(3, dead_delta);
  return lift(add_counts_.run());
}

Status SqliteQueueStore::save_next_id(std::uint64_t next_id) {
  save_next_id_.bind(1, signed_id(next_id));
  return lift(save_next_id_.run());
}

Result<std::uint64_t> SqliteQueueStore::load_next_id() {
  auto query = database_.prepare(
      "SELECT max(m.next_delivery_id, coalesce((SELECT max(id) + 1 FROM deliveries), 1)) FROM queue_meta m "
      "WHERE m.id = 1");
  if (!query) return lift(query.error());
  auto row = first_row(*query);
  if (!row) return row.error();
  if (!*row) return make_error(QueueErrorCode::store_failed, "the queue_meta row is missing");
  return static_cast<std::uint64_t>(query->integer(0));
}

Result<std::vector<StoredCounts>> SqliteQueueStore::load_counts() {
  auto query = database_.prepare("SELECT subscriber, pending, dead FROM subscriber_counts");
  if (!query) return lift(query.error());
  std::vector<StoredCounts> counts;
  while (true) {
    auto row = query->step();
    if (!row) return lift(row.error());
    if (!*row) break;
    const auto pending = query->integer(1);
    const auto dead = query->integer(2);
    if (pending < 0 || dead < 0) {
      return make_error(QueueErrorCode::store_failed, "subscriber_counts holds a negative count");
    }
    if (pending == 0 && dead == 0) continue;
    counts.push_back(StoredCounts{query->text(0), static_cast<std::uint64_t>(pending), static_cast<std::uint64_t>(dead)});
  }
  return counts;
}

Result<std::vector<ReadyRow>> SqliteQueueStore::ready_heads(const std::string& subscriber, std::int64_t now_us,
                                                            std::uint64_t scan, std::size_t take,
                                                            const std::function<bool(const std::string&)>& skip,
                                                            std::int64_t /*claim_until_us*/) {
  std::vector<ReadyRow> rows;
  std::uint64_t looked = 0;
  // One index range per priority, highest first: the due heads of one priority are contiguous
  // in (subscriber, priority, due_us), so heads waiting out a backoff are never read.
  for (int priority = kMaxPriority; priority >= 0 && rows.size() < take && looked < scan; --priority) {
    ready_heads_.bind(1, subscriber);
    ready_heads_.bind(2, std::int64_t{priority});
    ready_heads_.bind(3, now_us);
    ready_heads_.bind(4, signed_id(scan - looked));
    while (rows.size() < take) {
      auto row = ready_heads_.step();
      if (!row) {
        ready_heads_.reset();
        return lift(row.error());
      }
      if (!*row) break;
      ++looked;
      std::string ordering_key = ready_heads_.blob(1);
      if (skip(ordering_key)) continue;  // the payload columns of a skipped row are never read
      ReadyRow ready;
      ready.id = static_cast<std::uint64_t>(ready_heads_.integer(0));
      ready.ordering_key = std::move(ordering_key);
      ready.event_id = ready_heads_.text(2);
      ready.publisher = ready_heads_.text(3);
      ready.category = ready_heads_.text(4);
      ready.attempts = static_cast<std::uint32_t>(ready_heads_.integer(5));
      ready.stored_at_us = ready_heads_.integer(6);
      ready.sealed.key_id = ready_heads_.text(7);
      ready.sealed.nonce = ready_heads_.blob(8);
      ready.sealed.ciphertext = ready_heads_.blob(9);
      rows.push_back(std::move(ready));
    }
    ready_heads_.reset();
  }
  return rows;
}

Result<std::vector<HeadDue>> SqliteQueueStore::heads_by_due(const std::string& subscriber, std::uint64_t limit) {
  heads_by_due_.bind(1, subscriber);
  heads_by_due_.bind(2, signed_id(limit));
  std::vector<HeadDue> heads;
  while (true) {
    auto row = heads_by_due_.step();
    if (!row) {
      heads_by_due_.reset();
      return lift(row.error());
    }
    if (!*row) break;
    heads.push_back(HeadDue{heads_by_due_.blob(0), heads_by_due_.integer(1)});
  }
  heads_by_due_.reset();
  return heads;
}

Result<std::optional<std::int64_t>> SqliteQueueStore::oldest_pending(const std::string& subscriber) {
  oldest_head_.bind(1, subscriber);
  auto row = first_row(oldest_head_);
  if (!row) return row.error();
  std::optional<std::int64_t> stored_at;
  if (*row) stored_at = oldest_head_.integer(0);
  oldest_head_.reset();
  return stored_at;
}

Result<std::vector<DeadRow>> SqliteQueueStore::dead_letters(const std::string& subscriber, std::uint64_t limit) {
  pse::SqliteStatement& query = subscriber.empty() ? dead_all_ : dead_of_;
  int next = 1;
  if (!subscriber.empty()) query.bind(next++, subscriber);
  query.bind(next, signed_id(limit));
  std::vector<DeadRow> rows;
  while (true) {
    auto row = query.step();
    if (!row) {
      query.reset();
      return lift(row.error());
    }
    if (!*row) break;
    DeadRow dead;
    dead.id = static_cast<std::uint64_t>(query.integer(0));
    dead.subscriber = query.text(1);
    dead.event_id = query.text(2);
    dead.publisher = query.text(3);
    dead.category = query.text(4);
    dead.attempts = static_cast<std::uint32_t>(query.integer(5));
    dead.stored_at_us = query.integer(6);
    dead.last_error = query.text(7);
    rows.push_back(std::move(dead));
  }
  query.reset();
  return rows;
}

}  // namespace pse::queue

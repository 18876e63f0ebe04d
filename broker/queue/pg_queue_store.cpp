#include "broker/queue/pg_queue_store.hpp"

#include "store/pg_schema.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

namespace pse::queue {
namespace {

// Rows read per round trip where a query could return many: a long listing never has more
// than this in one result.
constexpr std::uint64_t kPageRows = 10'000;

// Ends claims: each head is due again when its delivery was (before it was claimed); the
// condition on the heads (h) follows.
constexpr std::string_view kEndClaims =
    "UPDATE queue_heads h SET due_us = d.next_attempt_us, claimed_by = NULL FROM queue_deliveries d "
    "WHERE d.id = h.delivery_id AND ";

constexpr std::string_view kDeadColumns =
    "id, subscriber, event_id, publisher, category, attempts, stored_at_us, last_error";

std::int64_t as_int(std::uint64_t value) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(value, INT64_MAX));
}

std::uint64_t as_id(const PgRows& rows, int row, int column) {
  return static_cast<std::uint64_t>(rows.integer(row, column));
}

std::string text(const PgRows& rows, int row, int column) { return std::string(rows.text(row, column)); }

// Runs `call`; when it finds the connection lost, opens it again and runs `call` once more.
// Only for what is safe to repeat: a read, or the BEGIN that starts a transaction.
template <typename Call>
auto with_reconnect(PgConnection& connection, Call call) -> decltype(call()) {
  auto result = call();
  if (result || !result.error().connection_lost) return result;
  if (auto reconnected = connection.reconnect(); !reconnected) return reconnected.error();
  return call();
}

// A bigint[] parameter in its text form: {1,2,3}.
std::string id_array(const std::vector<std::uint64_t>& ids) {
  std::string array = "{";
  for (const std::uint64_t id : ids) {
    if (array.size() > 1) array += ',';
    array += std::to_string(id);
  }
  return array + "}";
}

// A text[] parameter in its text form: {"a","b"}, each element quoted.
std::string text_array(const std::set<std::string, std::less<>>& texts) {
  std::string array = "{";
  for (const std::string& text : texts) {
    if (array.size() > 1) array += ',';
    array += '"';
    for (const char c : text) {
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  return array + "}";
}

// Wraps a statement of kEndClaims: NOTIFYs each subscriber whose claims it ended (at commit),
// and returns them.
std::string ending_claims_and_announcing(const std::string& condition) {
  return "WITH released AS (" + std::string(kEndClaims) + condition +
         " RETURNING h.subscriber) SELECT subscriber, pg_notify('" + std::string(kQueueReadyChannel) +
         "', subscriber) FROM (SELECT DISTINCT subscriber FROM released) r";
}

std::string id_array(const std::vector<ReadyRow>& rows) {
  std::vector<std::uint64_t> ids;
  ids.reserve(rows.size());
  for (const ReadyRow& row : rows) ids.push_back(row.id);
  return id_array(ids);
}

DeadRow dead_row(const PgRows& rows, int row) {
  DeadRow dead;
  dead.id = as_id(rows, row, 0);
  dead.subscriber = text(rows, row, 1);
  dead.event_id = text(rows, row, 2);
  dead.publisher = text(rows, row, 3);
  dead.category = text(rows, row, 4);
  dead.attempts = static_cast<std::uint32_t>(rows.integer(row, 5));
  dead.stored_at_us = rows.integer(row, 6);
  dead.last_error = text(rows, row, 7);
  return dead;
}

}  // namespace

Result<std::unique_ptr<PgQueueStore>> PgQueueStore::open(const PgConnectOptions& options, std::string claimant) {
  if (claimant.empty()) return make_error(QueueErrorCode::invalid_argument, "a queue store needs its broker's name");
  PgConnectOptions durable = options;
  durable.durable_commits = true;  // a publish is acknowledged only once it survives a crash
  auto connection = store::connect_migrated(durable);
  if (!connection) return connection.error();
  // Names are unique among live brokers: claims under this one are a previous process's, gone.
  if (auto released = connection->execute(ending_claims_and_announcing("h.claimed_by = $1"), PgParams().text(claimant));
      !released) {
    return released.error();
  }
  return std::unique_ptr<PgQueueStore>(new PgQueueStore(std::move(connection).value(), std::move(claimant)));
}

PgResult<PgRows> PgQueueStore::read(std::string_view sql, const PgParams& params) {
  return with_reconnect(connection_, [&] { return connection_.query(sql, params); });
}

// ---- writer ----

Status PgQueueStore::begin() {
  if (auto begun = with_reconnect(connection_, [this] { return connection_.execute_script("BEGIN"); }); !begun) {
    return begun.error();
  }
  // Held until COMMIT: the writers of every broker take turns, so a key committed by another
  // broker is visible to find_event here rather than colliding with our insert.
  if (auto locked = connection_.execute("SELECT 1 FROM queue_meta WHERE id = 1 FOR UPDATE"); !locked) {
    return locked.error();
  }
  return Ok{};
}

Status PgQueueStore::commit() {
  // A COMMIT that fails ends the transaction too: nothing is left to roll back.
  if (auto committed = connection_.execute_script("COMMIT"); !committed) return committed.error();
  return Ok{};
}

void PgQueueStore::rollback() {
  // A lost connection took its transaction with it; begin() opens it again.
  if (connection_.is_open()) (void)connection_.execute_script("ROLLBACK");
}

Result<std::optional<std::string>> PgQueueStore::find_event(const std::string& publisher, const std::string& key) {
  auto rows = connection_.query(
      "SELECT event_id FROM queue_idempotency_keys WHERE publisher = $1 AND idempotency_key = $2",
      PgParams().text(publisher).text(key));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(text(*rows, 0, 0));
}

Status PgQueueStore::insert_idempotency(const std::string& publisher, const std::string& key,
                                        const std::string& event_id, std::int64_t stored_at_us) {
  if (auto inserted = connection_.execute(
          "INSERT INTO queue_idempotency_keys (publisher, idempotency_key, event_id, stored_at_us) "
          "VALUES ($1, $2, $3, $4)",
          PgParams().text(publisher).text(key).text(event_id).integer(stored_at_us));
      !inserted) {
    return inserted.error();
  }
  return Ok{};
}

Result<std::uint64_t> PgQueueStore::purge_idempotency(std::int64_t before_us, std::uint64_t limit) {
  auto purged = connection_.query(
      "DELETE FROM queue_idempotency_keys WHERE (publisher, idempotency_key) IN "
      "(SELECT publisher, idempotency_key FROM queue_idempotency_keys WHERE stored_at_us < $1 "
      "ORDER BY stored_at_us LIMIT $2)",
      PgParams().integer(before_us).integer(as_int(limit)));
  if (!purged) return purged.error();
  return purged->affected();
}

Status PgQueueStore::insert_delivery(const StoredDelivery& delivery) {
  // The row and, if its key has none, its head, in one round trip. Due at once: next attempt
  // is the stored time ($7 twice).
  if (auto inserted = connection_.execute(
          "WITH inserted AS ("
          "INSERT INTO queue_deliveries (id, subscriber, ordering_key, event_id, publisher, category, "
          "next_attempt_us, stored_at_us, key_id, nonce, ciphertext, priority) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11) "
          "RETURNING id, subscriber, ordering_key, next_attempt_us, priority) "
          "INSERT INTO queue_heads (subscriber, ordering_key, delivery_id, due_us, priority) "
          "SELECT subscriber, ordering_key, id, next_attempt_us, priority FROM inserted "
          "ON CONFLICT (subscriber, ordering_key) DO NOTHING",
          PgParams()
              .integer(as_int(delivery.id))
              .text(delivery.subscriber)
              .bytes(delivery.ordering_key)
              .text(delivery.event_id)
              .text(delivery.publisher)
              .text(delivery.category)
              .integer(delivery.stored_at_us)
              .text(delivery.sealed.key_id)
              .bytes(delivery.sealed.nonce)
              .bytes(delivery.sealed.ciphertext)
              .integer(delivery.priority));
      !inserted) {
    return inserted.error();
  }
  return Ok{};
}

Result<bool> PgQueueStore::delete_delivery(std::uint64_t id) {
  auto deleted = connection_.query("DELETE FROM queue_deliveries WHERE id = $1", PgParams().integer(as_int(id)));
  if (!deleted) return deleted.error();
  return deleted->affected() > 0;
}

Result<bool> PgQueueStore::update_attempt(std::uint64_t id, std::uint32_t attempts, std::int64_t next_attempt_us,
                                    bool dead, const std::string& last_error) {
  auto updated = connection_.query(
      "UPDATE queue_deliveries SET attempts = $1, next_attempt_us = $2, dead = $3, last_error = $4 WHERE id = $5",
      PgParams()
          .integer(attempts)
          .integer(next_attempt_us)
          .text(dead ? "true" : "false")
          .text(last_error)
          .integer(as_int(id)));
  if (!updated) return updated.error();
  return updated->affected() > 0;
}

Status PgQueueStore::revive(std::uint64_t id, std::int64_t now_us) {
  if (auto revived = connection_.execute(
          "UPDATE queue_deliveries SET dead = false, attempts = 0, next_attempt_us = $1, last_error = '' WHERE id = $2",
          PgParams().integer(now_us).integer(as_int(id)));
      !revived) {
    return revived.error();
  }
  return Ok{};
}

Status PgQueueStore::refresh_head(const std::string& subscriber, const std::string& ordering_key) {
  // One round trip: the key's oldest pending row becomes its head, or, with none left, the
  // head goes.
  if (auto refreshed = connection_.execute(
          "WITH oldest AS ("
          "SELECT id, next_attempt_us, priority FROM queue_deliveries "
          "WHERE subscriber = $1 AND ordering_key = $2 AND NOT dead ORDER BY id LIMIT 1), "
          "emptied AS ("
          "DELETE FROM queue_heads WHERE subscriber = $1 AND ordering_key = $2 AND NOT EXISTS (SELECT 1 FROM oldest)) "
          "INSERT INTO queue_heads (subscriber, ordering_key, delivery_id, due_us, priority) "
          "SELECT $1, $2, id, next_attempt_us, priority FROM oldest "
          "ON CONFLICT (subscriber, ordering_key) DO UPDATE SET delivery_id = EXCLUDED.delivery_id, "
          "due_us = EXCLUDED.due_us, priority = EXCLUDED.priority, claimed_by = NULL",
          PgParams().text(subscriber).bytes(ordering_key));
      !refreshed) {
    return refreshed.error();
  }
  return Ok{};
}

Result<std::optional<RowLocation>> PgQueueStore::locate(std::uint64_t id) {
  auto rows = connection_.query("SELECT subscriber, ordering_key, dead FROM queue_deliveries WHERE id = $1",
                                PgParams().integer(as_int(id)));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<RowLocation>();
  return std::optional<RowLocation>(RowLocation{text(*rows, 0, 0), rows->bytes(0, 1), rows->text(0, 2) == "t"});
}

Result<std::vector<std::pair<std::uint64_t, std::string>>> PgQueueStore::dead_ids(const std::string& subscriber,
                                                                                 std::uint64_t after_id,
                                                                                 std::uint64_t limit) {
  auto rows = connection_.query(
      "SELECT id, ordering_key FROM queue_deliveries WHERE subscriber = $1 AND dead AND id > $2 ORDER BY id LIMIT $3",
      PgParams().text(subscriber).integer(as_int(after_id)).integer(as_int(std::min(limit, kPageRows))));
  if (!rows) return rows.error();
  std::vector<std::pair<std::uint64_t, std::string>> ids;
  ids.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) ids.emplace_back(as_id(*rows, row, 0), rows->bytes(row, 1));
  return ids;
}

Status PgQueueStore::add_counts(const std::string& subscriber, std::int64_t pending_delta, std::int64_t dead_delta) {
  if (auto added = connection_.execute(
          "INSERT INTO queue_subscriber_counts (subscriber, pending, dead) VALUES ($1, $2, $3) "
          "ON CONFLICT (subscriber) DO UPDATE SET pending = queue_subscriber_counts.pending + EXCLUDED.pending, "
          "dead = queue_subscriber_counts.dead + EXCLUDED.dead",
          PgParams().text(subscriber).integer(pending_delta).integer(dead_delta));
      !added) {
    return added.error();
  }
  return Ok{};
}

Status PgQueueStore::save_next_id(std::uint64_t next_id) {
  // Never lowered: a broker that opened before another's publishes must not hand their ids out
  // again after a restart.
  if (auto saved = connection_.execute(
          "UPDATE queue_meta SET next_delivery_id = greatest(next_delivery_id, $1) WHERE id = 1",
          PgParams().integer(as_int(next_id)));
      !saved) {
    return saved.error();
  }
  return Ok{};
}

Status PgQueueStore::announce(const std::set<std::string, std::less<>>& subscribers) {
  if (auto notified = connection_.execute("SELECT pg_notify('" + std::string(kQueueReadyChannel) +
                                              "', s) FROM unnest($1::text[]) AS s",
                                          PgParams().text(text_array(subscribers)));
      !notified) {
    return notified.error();
  }
  return Ok{};
}

// ---- open time ----

Result<std::uint64_t> PgQueueStore::load_next_id() {
  auto rows = read(
      "SELECT greatest(m.next_delivery_id, coalesce((SELECT max(id) + 1 FROM queue_deliveries), 1)) "
      "FROM queue_meta m WHERE m.id = 1");
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(QueueErrorCode::store_failed, "the queue_meta row is missing");
  return as_id(*rows, 0, 0);
}

Result<std::vector<StoredCounts>> PgQueueStore::load_counts() {
  std::vector<StoredCounts> counts;
  std::string after;  // pages in subscriber order
  while (true) {
    auto page = read(
        "SELECT subscriber, pending, dead FROM queue_subscriber_counts "
        "WHERE subscriber > $1 AND (pending <> 0 OR dead <> 0) ORDER BY subscriber LIMIT $2",
        PgParams().text(after).integer(as_int(kPageRows)));
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) {
      const std::int64_t pending = page->integer(row, 1);
      const std::int64_t dead = page->integer(row, 2);
      if (pending < 0 || dead < 0) {
        return make_error(QueueErrorCode::store_failed, "queue_subscriber_counts holds a negative count");
      }
      counts.push_back(
          StoredCounts{text(*page, row, 0), static_cast<std::uint64_t>(pending), static_cast<std::uint64_t>(dead)});
    }
    if (static_cast<std::uint64_t>(page->size()) < kPageRows) return counts;
    after = counts.back().subscriber;
  }
}

// ---- any time, outside a transaction ----

Result<std::vector<std::string>> PgQueueStore::release_abandoned_claims() {
  auto released = read(ending_claims_and_announcing(
                           "h.claimed_by IS NOT NULL AND h.claimed_by <> $1 AND h.claimed_by NOT IN ("
                           "SELECT broker_id FROM brokers WHERE heartbeat_at > now() - make_interval(secs => $2))"),
                       PgParams().text(claimant_).integer(store::kBrokerSilentAfterSeconds));
  if (!released) return released.error();
  std::vector<std::string> subscribers;
  for (int row = 0; row < released->size(); ++row) subscribers.push_back(text(*released, row, 0));
  return subscribers;
}

// ---- reader ----

Result<std::vector<ReadyRow>> PgQueueStore::ready_heads(const std::string& subscriber, std::int64_t now_us,
                                                        std::uint64_t scan, std::size_t take,
                                                        const std::function<bool(const std::string&)>& skip,
                                                        std::int64_t claim_until_us) {
  if (auto begun = with_reconnect(connection_, [this] { return connection_.execute_script("BEGIN"); }); !begun) {
    return begun.error();
  }
  auto claimed = claim_heads(subscriber, now_us, scan, take, skip, claim_until_us);
  if (claimed) {
    if (auto committed = connection_.execute_script("COMMIT"); !committed) return committed.error();
  } else if (connection_.is_open()) {
    (void)connection_.execute_script("ROLLBACK");
  }
  return claimed;
}

Result<std::vector<ReadyRow>> PgQueueStore::claim_heads(const std::string& subscriber, std::int64_t now_us,
                                                        std::uint64_t scan, std::size_t take,
                                                        const std::function<bool(const std::string&)>& skip,
                                                        std::int64_t claim_until_us) {
  // Heads another broker is claiming right now are skipped, not waited for. Payloads are read
  // only for the heads taken, so skipped ones cost no payload bytes on the wire. One index range
  // per priority, highest first (queue_heads_by_priority): heads waiting out a backoff are
  // never read, at the cost of a round trip per priority with nothing due.
  std::vector<ReadyRow> rows;
  std::uint64_t looked = 0;
  for (int priority = kMaxPriority; priority >= 0 && rows.size() < take && looked < scan; --priority) {
    auto heads = connection_.query(
        "SELECT delivery_id, ordering_key FROM queue_heads WHERE subscriber = $1 AND priority = $2 "
        "AND due_us <= $3 ORDER BY due_us, delivery_id LIMIT $4 FOR UPDATE SKIP LOCKED",
        PgParams().text(subscriber).integer(priority).integer(now_us).integer(as_int(scan - looked)));
    if (!heads) return heads.error();
    looked += static_cast<std::uint64_t>(heads->size());
    for (int row = 0; row < heads->size() && rows.size() < take; ++row) {
      std::string ordering_key = heads->bytes(row, 1);
      if (skip(ordering_key)) continue;
      ReadyRow ready;
      ready.id = as_id(*heads, row, 0);
      ready.ordering_key = std::move(ordering_key);
      rows.push_back(std::move(ready));
    }
  }
  if (rows.empty()) return rows;
  if (auto claimed = connection_.execute(
          "UPDATE queue_heads SET due_us = $2, claimed_by = $3 WHERE subscriber = $1 AND delivery_id = ANY($4::bigint[])",
          PgParams().text(subscriber).integer(claim_until_us).text(claimant_).text(id_array(rows)));
      !claimed) {
    return claimed.error();
  }
  if (auto status = read_sealed(rows); !status) return status.error();
  return rows;
}

Status PgQueueStore::release_claims(const std::string& subscriber, const std::vector<std::uint64_t>& ids) {
  if (ids.empty()) return Ok{};
  auto released = read(
      ending_claims_and_announcing("h.subscriber = $1 AND h.delivery_id = ANY($2::bigint[]) AND h.claimed_by = $3"),
      PgParams().text(subscriber).text(id_array(ids)).text(claimant_));
  if (!released) return released.error();
  return Ok{};
}

Status PgQueueStore::read_sealed(std::vector<ReadyRow>& rows) {
  auto stored = read(
      "SELECT id, event_id, publisher, category, attempts, stored_at_us, key_id, nonce, ciphertext "
      "FROM queue_deliveries WHERE id = ANY($1::bigint[])",
      PgParams().text(id_array(rows)));
  if (!stored) return stored.error();
  std::unordered_map<std::uint64_t, int> found;  // id → its row in `stored`
  for (int row = 0; row < stored->size(); ++row) found.emplace(as_id(*stored, row, 0), row);
  // A head read a moment ago whose row is gone now (acknowledged meanwhile) is not taken.
  std::erase_if(rows, [&](const ReadyRow& ready) { return !found.contains(ready.id); });
  for (ReadyRow& ready : rows) {
    const int row = found.at(ready.id);
    ready.event_id = text(*stored, row, 1);
    ready.publisher = text(*stored, row, 2);
    ready.category = text(*stored, row, 3);
    ready.attempts = static_cast<std::uint32_t>(stored->integer(row, 4));
    ready.stored_at_us = stored->integer(row, 5);
    ready.sealed.key_id = text(*stored, row, 6);
    ready.sealed.nonce = stored->bytes(row, 7);
    ready.sealed.ciphertext = stored->bytes(row, 8);
  }
  return Ok{};
}

Result<std::vector<HeadDue>> PgQueueStore::heads_by_due(const std::string& subscriber, std::uint64_t limit) {
  auto rows = read(
      "SELECT ordering_key, due_us FROM queue_heads WHERE subscriber = $1 ORDER BY due_us, delivery_id LIMIT $2",
      PgParams().text(subscriber).integer(as_int(limit)));
  if (!rows) return rows.error();
  std::vector<HeadDue> heads;
  heads.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) heads.push_back(HeadDue{rows->bytes(row, 0), rows->integer(row, 1)});
  return heads;
}

Result<std::optional<std::int64_t>> PgQueueStore::oldest_pending(const std::string& subscriber) {
  auto rows = read(
      "SELECT d.stored_at_us FROM queue_heads h JOIN queue_deliveries d ON d.id = h.delivery_id "
      "WHERE h.subscriber = $1 ORDER BY h.delivery_id LIMIT 1",
      PgParams().text(subscriber));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(rows->integer(0, 0));
}

Result<std::vector<DeadRow>> PgQueueStore::dead_letters(const std::string& subscriber, std::uint64_t limit) {
  // Parameters in a fixed order ($1 the page's last id, $2 its size), one statement per form.
  const std::string sql =
      "SELECT " + std::string(kDeadColumns) + " FROM queue_deliveries WHERE dead AND id > $1" +
      (subscriber.empty() ? "" : " AND subscriber = $3") + " ORDER BY id LIMIT $2";
  std::vector<DeadRow> rows;
  std::uint64_t after = 0;
  while (rows.size() < limit) {
    const std::uint64_t want = std::min<std::uint64_t>(limit - rows.size(), kPageRows);
    PgParams params;
    params.integer(as_int(after)).integer(as_int(want));
    if (!subscriber.empty()) params.text(subscriber);
    auto page = read(sql, params);
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) rows.push_back(dead_row(*page, row));
    if (static_cast<std::uint64_t>(page->size()) < want) break;
    after = rows.back().id;
  }
  return rows;
}

}  // namespace pse::queue

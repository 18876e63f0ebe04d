// DeliveryQueue priorities: a subscriber's due deliveries of a higher priority (the category's
// availability rating D) are taken first, never ahead of an older delivery about the same
// subject; dead-letter replay keeps a delivery's priority; a queue file of schema 1 (before
// priorities) and a PostgreSQL store of migration 8 upgrade and deliver everything they held.
// On SQLite and PostgreSQL.
#include "broker/queue/delivery_queue.hpp"

#include "queue_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace pse::queue {
namespace {

using namespace std::chrono_literals;
using testing::event;
using testing::QueueFixture;

class QueuePriorityTest : public ::testing::TestWithParam<pse::testing::Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, QueuePriorityTest, pse::testing::kEachBackend, pse::testing::backend_name);

NewDelivery rated(const std::string& subject, const std::string& payload, int priority) {
  return NewDelivery{"ramq", subject, payload, priority};
}

void publish_ok(DeliveryQueue& queue, const std::string& key, std::vector<NewDelivery> deliveries) {
  auto result = queue.publish(event(key), std::move(deliveries)).get();
  ASSERT_TRUE(result.ok()) << result.error().message;
}

std::vector<Delivery> take(DeliveryQueue& queue, TimePoint now, std::size_t max = 100) {
  auto taken = queue.take_ready("ramq", now, max);
  EXPECT_TRUE(taken.ok()) << (taken.ok() ? "" : taken.error().message);
  if (!taken.ok()) return {};
  EXPECT_TRUE(taken->unreadable.empty());
  return taken->deliveries;
}

std::vector<std::string> payloads(const std::vector<Delivery>& deliveries) {
  std::vector<std::string> out;
  for (const Delivery& d : deliveries) out.push_back(d.payload);
  return out;
}

void ack_all(DeliveryQueue& queue, const std::vector<Delivery>& deliveries) {
  for (const Delivery& d : deliveries) ASSERT_TRUE(queue.ack("ramq", d.id).ok());
  ASSERT_TRUE(queue.flush().ok());
}

TEST_P(QueuePriorityTest, ABacklogGoesOutHighestPriorityFirstThenInDueOrder) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  // The subscriber is away: a backlog of D1 builds up, then D3 and D2 deliveries come.
  for (int i = 1; i <= 3; ++i) {
    publish_ok(*queue, "low" + std::to_string(i), {rated("s-low" + std::to_string(i), "d1-" + std::to_string(i), 1)});
    fixture.clock.advance(1ms);
  }
  publish_ok(*queue, "high1", {rated("s-high1", "d3-1", 3)});
  fixture.clock.advance(1ms);
  publish_ok(*queue, "mid1", {rated("s-mid1", "d2-1", 2)});
  fixture.clock.advance(1ms);
  publish_ok(*queue, "high2", {rated("s-high2", "d3-2", 3)});
  const TimePoint now = fixture.clock.now();

  const auto first = take(*queue, now, 2);
  EXPECT_EQ(payloads(first), (std::vector<std::string>{"d3-1", "d3-2"}));
  EXPECT_EQ(payloads(take(*queue, now)), (std::vector<std::string>{"d2-1", "d1-1", "d1-2", "d1-3"}));
}

TEST_P(QueuePriorityTest, APriorityNeverOvertakesAnOlderDeliveryAboutTheSameSubject) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, "e1", {rated("subject-a", "a-first-d1", 1)});
  publish_ok(*queue, "e2", {rated("subject-a", "a-second-d3", 3)});
  publish_ok(*queue, "e3", {rated("subject-b", "b-d2", 2)});
  const TimePoint now = fixture.clock.now();

  // subject-a's head is its D1 delivery: the D3 one behind it waits for it.
  const auto first = take(*queue, now);
  EXPECT_EQ(payloads(first), (std::vector<std::string>{"b-d2", "a-first-d1"}));
  EXPECT_TRUE(take(*queue, now).empty());
  ack_all(*queue, first);
  EXPECT_EQ(payloads(take(*queue, now)), (std::vector<std::string>{"a-second-d3"}));
}

TEST_P(QueuePriorityTest, AHigherPriorityInBackoffDoesNotHoldBackWhatIsDue) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, "e1", {rated("subject-a", "a-d3", 3)});
  publish_ok(*queue, "e2", {rated("subject-b", "b-d0", 0)});
  TimePoint now = fixture.clock.now();
  const auto first = take(*queue, now, 1);
  ASSERT_EQ(payloads(first), (std::vector<std::string>{"a-d3"}));
  ASSERT_TRUE(queue->nack("ramq", first[0].id, now).ok());
  ASSERT_TRUE(queue->flush().ok());

  auto due = queue->next_due("ramq");
  ASSERT_TRUE(due.ok());
  ASSERT_TRUE(due->has_value());
  EXPECT_LE(**due, now) << "the D0 delivery is due now, whatever the D3 one waits for";
  EXPECT_EQ(payloads(take(*queue, now, 1)), (std::vector<std::string>{"b-d0"}));

  fixture.clock.advance(1s);
  now = fixture.clock.now();
  EXPECT_EQ(payloads(take(*queue, now)), (std::vector<std::string>{"a-d3"}));
}

TEST_P(QueuePriorityTest, AReplayedDeadLetterKeepsItsPriority) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.max_attempts = 1;
  auto queue = fixture.open(options);
  publish_ok(*queue, "e1", {rated("subject-a", "a-d3", 3)});
  const TimePoint now = fixture.clock.now();
  const auto first = take(*queue, now);
  ASSERT_EQ(first.size(), 1U);
  ASSERT_TRUE(queue->nack("ramq", first[0].id, now).ok());
  ASSERT_TRUE(queue->flush().ok());
  for (int i = 1; i <= 3; ++i) {
    publish_ok(*queue, "low" + std::to_string(i), {rated("s-low" + std::to_string(i), "d1-" + std::to_string(i), 1)});
  }
  auto replayed = queue->replay_dead(first[0].id);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;

  // Due after the D1 backlog, and still first.
  EXPECT_EQ(payloads(take(*queue, fixture.clock.now(), 1)), (std::vector<std::string>{"a-d3"}));
}

// ---- a queue file of schema 1 ----

// The tables as schema 1 created them, before deliveries and heads had a priority.
constexpr const char* kSchema1 = R"sql(
CREATE TABLE queue_meta (id INTEGER PRIMARY KEY CHECK (id = 1), next_delivery_id INTEGER NOT NULL);
CREATE TABLE idempotency_keys (publisher TEXT NOT NULL, idempotency_key TEXT NOT NULL, event_id TEXT NOT NULL,
  stored_at_us INTEGER NOT NULL, PRIMARY KEY (publisher, idempotency_key));
CREATE INDEX idempotency_by_time ON idempotency_keys(stored_at_us);
CREATE TABLE deliveries (id INTEGER PRIMARY KEY, subscriber TEXT NOT NULL, ordering_key BLOB NOT NULL,
  event_id TEXT NOT NULL, publisher TEXT NOT NULL, category TEXT NOT NULL, dead INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_us INTEGER NOT NULL, stored_at_us INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', key_id TEXT NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL);
CREATE INDEX deliveries_by_key ON deliveries(subscriber, ordering_key, id);
CREATE INDEX dead_deliveries ON deliveries(subscriber, id) WHERE dead = 1;
CREATE TABLE heads (subscriber TEXT NOT NULL, ordering_key BLOB NOT NULL, delivery_id INTEGER NOT NULL,
  due_us INTEGER NOT NULL, PRIMARY KEY (subscriber, ordering_key)) WITHOUT ROWID;
CREATE INDEX heads_by_due ON heads(subscriber, due_us, delivery_id);
CREATE INDEX heads_by_id ON heads(subscriber, delivery_id);
CREATE TABLE subscriber_counts (subscriber TEXT PRIMARY KEY, pending INTEGER NOT NULL, dead INTEGER NOT NULL)
  WITHOUT ROWID;
)sql";

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  const int status = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  ASSERT_EQ(status, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
}

// Three deliveries stored by the queue before an upgrade: two about subject-a, one about subject-b.
void publish_before_the_upgrade(QueueFixture& fixture) {
  auto queue = fixture.open();
  publish_ok(*queue, "e1", {rated("subject-a", "a1", 0)});
  fixture.clock.advance(1ms);
  publish_ok(*queue, "e2", {rated("subject-b", "b1", 0)});
  fixture.clock.advance(1ms);
  publish_ok(*queue, "e3", {rated("subject-a", "a2", 0)});
  queue->close();
}

// Opens the upgraded store: the rows of before still go first, ahead of a delivery published
// after the upgrade at a high priority, and every one of them is delivered.
void expect_everything_delivered_after_the_upgrade(QueueFixture& fixture) {
  auto queue = fixture.open();
  fixture.clock.advance(1ms);
  publish_ok(*queue, "e4", {rated("subject-c", "c1-d2", 2)});
  const TimePoint now = fixture.clock.now();
  const auto first = take(*queue, now);
  EXPECT_EQ(payloads(first), (std::vector<std::string>{"a1", "b1", "c1-d2"}));
  ack_all(*queue, first);
  const auto second = take(*queue, now);
  EXPECT_EQ(payloads(second), (std::vector<std::string>{"a2"}));
  ack_all(*queue, second);
  EXPECT_TRUE(take(*queue, now).empty());
  EXPECT_TRUE(queue->stats(now).empty()) << "everything the old store held was delivered and acknowledged";
  EXPECT_EQ(fixture.count_deliveries(), 0);
}

TEST(QueuePrioritySchema, AFileOfSchema1UpgradesAndDeliversEverythingItHeldInDueOrder) {
  QueueFixture fixture;
  // Sealed rows of today's queue (their ciphertexts are bound to ids, not to the schema), then
  // moved into a file laid out as schema 1 was.
  publish_before_the_upgrade(fixture);
  const auto old_file = fixture.dir / "queue-v1.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(old_file.c_str(), &db), SQLITE_OK);
    exec(db, kSchema1);
    exec(db, "ATTACH DATABASE '" + fixture.database.string() + "' AS today");
    exec(db,
         "INSERT INTO queue_meta SELECT id, next_delivery_id FROM today.queue_meta;"
         "INSERT INTO idempotency_keys SELECT * FROM today.idempotency_keys;"
         "INSERT INTO deliveries SELECT id, subscriber, ordering_key, event_id, publisher, category, dead, attempts, "
         "next_attempt_us, stored_at_us, last_error, key_id, nonce, ciphertext FROM today.deliveries;"
         "INSERT INTO heads SELECT subscriber, ordering_key, delivery_id, due_us FROM today.heads;"
         "INSERT INTO subscriber_counts SELECT * FROM today.subscriber_counts;"
         "DETACH DATABASE today; PRAGMA user_version = 1;");
    sqlite3_close(db);
  }
  std::filesystem::remove(fixture.database);
  std::filesystem::rename(old_file, fixture.database);

  expect_everything_delivered_after_the_upgrade(fixture);
}

TEST(QueuePrioritySchema, APostgresqlStoreOfMigration8UpgradesAndDeliversEverythingItHeldInDueOrder) {
  QueueFixture fixture(pse::testing::Backend::postgresql);
  publish_before_the_upgrade(fixture);
  // Back to the tables as migration 8 left them; opening the queue migrates again. A later
  // migration has to be undone here too.
  fixture.run_sql(
      "DROP INDEX queue_heads_by_priority;"
      "ALTER TABLE queue_deliveries DROP COLUMN priority;"
      "ALTER TABLE queue_heads DROP COLUMN priority;"
      "DROP TABLE audit_outbox;"
      "ALTER TABLE mandates DROP COLUMN granted_at;"
      "ALTER TABLE consent_revocations DROP COLUMN mandate_id;"
      "DROP INDEX mandates_by_mandator, mandates_by_mandatary;"
      "UPDATE pse_schema SET version = 8");

  expect_everything_delivered_after_the_upgrade(fixture);
}

}  // namespace
}  // namespace pse::queue

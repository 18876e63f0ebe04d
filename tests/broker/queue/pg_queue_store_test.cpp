// The delivery queue on PostgreSQL as the hub runs it: no payload in clear in any queue row,
// idempotency keys shared by the brokers, deliveries claimed by one broker at a time, and
// connections lost while idle opened again.
#include "broker/queue/delivery_queue.hpp"
#include "broker/queue/pg_queue_store.hpp"

#include "base/hex.hpp"
#include "base/random_id.hpp"
#include "queue_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <thread>

namespace pse::queue {
namespace {

using pse::testing::Backend;
using testing::delivery;
using testing::event;
using testing::QueueFixture;

constexpr std::string_view secret = "NAS-123-456-789 Tremblay, 42 rue des Érables";

PublishAck publish_ok(DeliveryQueue& queue, NewEvent ev, std::vector<NewDelivery> deliveries) {
  auto result = queue.publish(std::move(ev), std::move(deliveries)).get();
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : PublishAck{};
}

// Every row of `table`, each as PostgreSQL's text form of the whole row.
std::vector<std::string> rows_as_text(PgConnection& connection, const std::string& table) {
  auto rows = connection.query("SELECT t::text FROM " + table + " t");
  if (!rows) throw std::runtime_error(rows.error().message);
  std::vector<std::string> texts;
  for (int row = 0; row < rows->size(); ++row) texts.emplace_back(rows->text(row, 0));
  return texts;
}

TEST(PgQueueStore, PayloadBytesAreNeverInTheQueueTablesInClear) {
  QueueFixture fixture(Backend::postgresql);
  auto queue = fixture.open();
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    publish_ok(*queue, event("k" + n), {delivery("ramq", "s" + n, std::string(secret))});
  }
  PgConnection connection = fixture.connect();
  const std::vector<std::string> deliveries = rows_as_text(connection, "queue_deliveries");
  EXPECT_EQ(deliveries.size(), 50U) << "the rows are there, sealed";
  // bytea shows as hex: the payload must not be there in that form either.
  const std::string in_hex = to_hex(std::string_view("Tremblay"));
  for (const std::string table :
       {"queue_deliveries", "queue_heads", "queue_idempotency_keys", "queue_subscriber_counts", "queue_meta"}) {
    for (const std::string& row : rows_as_text(connection, table)) {
      EXPECT_EQ(row.find("Tremblay"), std::string::npos) << table << ": " << row;
      EXPECT_EQ(row.find("NAS-123"), std::string::npos) << table << ": " << row;
      EXPECT_EQ(row.find(in_hex), std::string::npos) << table << ": " << row;
    }
  }
  auto taken = queue->take_ready("ramq", fixture.clock.now(), 1);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->deliveries.size(), 1U);
  EXPECT_EQ(taken->deliveries[0].payload, secret) << "and yet it decrypts";
}

TEST(PgQueueStore, ADuplicatePublishedThroughAnotherBrokerGetsTheOriginalEventId) {
  QueueFixture fixture(Backend::postgresql);
  auto first_broker = fixture.open();
  auto second_broker = fixture.open();
  const PublishAck original = publish_ok(*first_broker, event("k1", "ev-first"), {delivery("ramq", "s1", "one")});
  ASSERT_FALSE(original.duplicate);

  const PublishAck retried = publish_ok(*second_broker, event("k1", "ev-second"), {delivery("ramq", "s1", "one")});
  EXPECT_TRUE(retried.duplicate);
  EXPECT_EQ(retried.event_id, "ev-first");
  EXPECT_EQ(retried.deliveries, 0U);
  EXPECT_EQ(fixture.count_deliveries(), 1) << "nothing stored for the duplicate";
}

TEST(PgQueueStore, BrokersPublishingOneKeyAtOnceStoreItOnce) {
  QueueFixture fixture(Backend::postgresql);
  auto first_broker = fixture.open();
  auto second_broker = fixture.open();
  // A retry sent to the other broker while the first is still committing.
  constexpr int kKeys = 200;
  std::vector<std::future<DeliveryQueue::PublishResult>> firsts;
  std::vector<std::future<DeliveryQueue::PublishResult>> seconds;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "k" + std::to_string(i);
    firsts.push_back(first_broker->publish(event(key, "a-" + key), {}));
    seconds.push_back(second_broker->publish(event(key, "b-" + key), {}));
  }
  for (int i = 0; i < kKeys; ++i) {
    const auto a = firsts[static_cast<std::size_t>(i)].get();
    const auto b = seconds[static_cast<std::size_t>(i)].get();
    ASSERT_TRUE(a.ok()) << a.error().message;
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_NE(a->duplicate, b->duplicate) << "key " << i << ": exactly one of the two is stored";
    EXPECT_EQ(a->event_id, b->event_id) << "key " << i;
  }
  auto rows = fixture.connect().query("SELECT count(*) FROM queue_idempotency_keys");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->integer(0, 0), kKeys);
}

TEST(PgQueueStore, TheQueueGoesOnAfterLosingItsConnectionsWhileIdle) {
  QueueFixture fixture(Backend::postgresql);
  fixture.postgres->application_name = random_id("pse-queue-test-", 8);  // to find the queue's sessions
  auto queue = fixture.open();
  publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "one")});

  // What a PostgreSQL restart or a failover does to the writer's and the reader's sessions.
  PgConnection admin = fixture.connect();
  auto ended = admin.query(
      "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
      "WHERE application_name = $1 AND pid <> pg_backend_pid()",
      PgParams().text(fixture.postgres->application_name));
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  ASSERT_EQ(ended->integer(0, 0), 2) << "the writer's and the reader's";

  auto taken = queue->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  ASSERT_EQ(taken->deliveries.size(), 1U);
  EXPECT_EQ(taken->deliveries[0].payload, "one");
  ASSERT_TRUE(queue->ack("ramq", taken->deliveries[0].id).ok());
  ASSERT_TRUE(queue->flush().ok()) << "the writer's next transaction reconnects";
  EXPECT_EQ(fixture.count_deliveries(), 0);
  EXPECT_TRUE(publish_ok(*queue, event("k1"), {}).duplicate);
}

// Brokers of the hub as `brokers` shows them: heartbeating now (live) or a minute ago (stopped).
void register_broker(const QueueFixture& fixture, const std::string& id, bool live) {
  auto registered = fixture.connect().execute(
      "INSERT INTO brokers (broker_id, applied_change, heartbeat_at) VALUES ($1, 0, now() + $2::interval) "
      "ON CONFLICT (broker_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at",
      PgParams().text(id).text(live ? "1 hour" : "-1 minute"));
  ASSERT_TRUE(registered.ok()) << registered.error().message;
}

// `count` deliveries to ramq, each of its own ordering key (all due at once), published by `queue`.
void publish_many(DeliveryQueue& queue, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    publish_ok(queue, event("k" + n, "ev-" + n), {delivery("ramq", "s" + n, "payload " + n)});
  }
}

std::vector<std::uint64_t> ids_of(const TakeResult& taken) {
  std::vector<std::uint64_t> ids;
  for (const Delivery& delivery : taken.deliveries) ids.push_back(delivery.id);
  return ids;
}

TEST(PgQueueStore, TwoBrokersTakingAtOnceNeverHandOutTheSameDelivery) {
  QueueFixture fixture(Backend::postgresql);
  auto a = fixture.open_as("broker-a");  // creates the schema
  register_broker(fixture, "broker-a", true);
  register_broker(fixture, "broker-b", true);
  constexpr int kDeliveries = 300;
  publish_many(*a, kDeliveries);
  auto b = fixture.open_as("broker-b");  // reads the counts a committed

  std::vector<std::uint64_t> taken_by_a;
  std::vector<std::uint64_t> taken_by_b;
  auto take_all = [&fixture](DeliveryQueue& queue, std::vector<std::uint64_t>& taken) {
    for (int empty_rounds = 0; empty_rounds < 3;) {
      auto round = queue.take_ready("ramq", fixture.clock.now(), 7);
      ASSERT_TRUE(round.ok()) << round.error().message;
      if (round->deliveries.empty()) ++empty_rounds;
      for (const std::uint64_t id : ids_of(*round)) taken.push_back(id);
    }
  };
  std::thread on_a([&] { take_all(*a, taken_by_a); });
  std::thread on_b([&] { take_all(*b, taken_by_b); });
  on_a.join();
  on_b.join();

  std::vector<std::uint64_t> all = taken_by_a;
  all.insert(all.end(), taken_by_b.begin(), taken_by_b.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a delivery was handed out by both brokers";
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kDeliveries)) << "every delivery was handed out";
  EXPECT_FALSE(taken_by_a.empty());
  EXPECT_FALSE(taken_by_b.empty());
  std::cout << "taken by a: " << taken_by_a.size() << ", by b: " << taken_by_b.size() << "\n";

  for (const std::uint64_t id : taken_by_a) ASSERT_TRUE(a->ack("ramq", id).ok());
  for (const std::uint64_t id : taken_by_b) ASSERT_TRUE(b->ack("ramq", id).ok());
  ASSERT_TRUE(a->flush().ok());
  ASSERT_TRUE(b->flush().ok());
  EXPECT_EQ(fixture.count_deliveries(), 0);
}

TEST(PgQueueStore, ALostConnectionsDeliveriesGoToAnotherBrokerAtOnce) {
  QueueFixture fixture(Backend::postgresql);
  auto a = fixture.open_as("broker-a");  // creates the schema
  register_broker(fixture, "broker-a", true);
  register_broker(fixture, "broker-b", true);
  publish_many(*a, 10);
  auto b = fixture.open_as("broker-b");
  auto on_a = a->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(on_a.ok());
  ASSERT_EQ(on_a->deliveries.size(), 10U);
  auto meanwhile = b->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(meanwhile.ok());
  EXPECT_TRUE(meanwhile->deliveries.empty()) << "claimed by a, live";

  EXPECT_EQ(a->release_in_flight("ramq"), 10U);  // the subscriber's connection to a is gone
  auto on_b = b->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(on_b.ok());
  EXPECT_EQ(ids_of(*on_b), ids_of(*on_a)) << "the same deliveries, from b now";
}

TEST(PgQueueStore, AStoppedBrokersClaimsEndWithinSecondsAndItsLateAckCountsNothing) {
  QueueFixture fixture(Backend::postgresql);
  auto a = fixture.open_as("broker-a");  // creates the schema
  register_broker(fixture, "broker-a", true);
  register_broker(fixture, "broker-b", true);
  publish_many(*a, 5);
  auto b = fixture.open_as("broker-b");
  auto on_a = a->take_ready("ramq", fixture.clock.now(), 5);
  ASSERT_TRUE(on_a.ok());
  ASSERT_EQ(on_a->deliveries.size(), 5U);

  register_broker(fixture, "broker-a", false);  // a stops heartbeating, its deliveries in flight
  std::vector<std::uint64_t> on_b;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (on_b.size() < 5 && std::chrono::steady_clock::now() < give_up) {
    auto round = b->take_ready("ramq", fixture.clock.now(), 5);
    ASSERT_TRUE(round.ok()) << round.error().message;
    for (const std::uint64_t id : ids_of(*round)) on_b.push_back(id);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(on_b, ids_of(*on_a)) << "b's writer ended a's claims (long before their 35 s deadline)";

  for (const std::uint64_t id : on_b) ASSERT_TRUE(b->ack("ramq", id).ok());
  ASSERT_TRUE(b->flush().ok());
  // a was only slow: its acks arrive late, for rows b has settled.
  for (const std::uint64_t id : ids_of(*on_a)) ASSERT_TRUE(a->ack("ramq", id).ok());
  ASSERT_TRUE(a->flush().ok());
  auto counts = fixture.connect().query("SELECT pending FROM queue_subscriber_counts WHERE subscriber = 'ramq'");
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1);
  EXPECT_EQ(counts->integer(0, 0), 0) << "each delivery counted once, not once per ack";
  EXPECT_EQ(fixture.count_deliveries(), 0);
}

}  // namespace
}  // namespace pse::queue

namespace pse::queue {
namespace {

using pse::testing::Backend;
using testing::QueueFixture;

TEST(PgQueueStore, TheQueueCommitsAgainOnItsOwnWhenTheDatabaseIsBack) {
  QueueFixture fixture(Backend::postgresql);
  fixture.postgres->statement_timeout = std::chrono::milliseconds(300);
  auto queue = fixture.open();
  ASSERT_TRUE(queue->publish(testing::event("k1"), {testing::delivery("ramq", "s1", "one")}).get().ok());

  // Another session holds the row every commit takes: the next commit times out and fails.
  PgConnection locker = fixture.connect();
  ASSERT_TRUE(locker.execute_script("BEGIN; SELECT * FROM queue_meta FOR UPDATE").ok());
  const auto failed = queue->publish(testing::event("k2"), {testing::delivery("ramq", "s2", "two")}).get();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, QueueErrorCode::store_failed);
  EXPECT_FALSE(queue->publish(testing::event("k3"), {}).get().ok());  // refused at once meanwhile

  // Released: within a few retry intervals the queue takes publishes again, without a restart.
  ASSERT_TRUE(locker.execute_script("ROLLBACK").ok());
  bool back = false;
  for (int attempt = 0; attempt < 100 && !back; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    back = queue->publish(testing::event("k2"), {testing::delivery("ramq", "s2", "two")}).get().ok();
  }
  ASSERT_TRUE(back);
  // Nothing of the failed batch was stored; the first delivery and the retried one are there.
  EXPECT_EQ(fixture.count_deliveries(), 2);
  const auto stats = queue->stats(fixture.clock.now());
  ASSERT_EQ(stats.size(), 1U);
  EXPECT_EQ(stats[0].ready, 2U);
}

}  // namespace
}  // namespace pse::queue

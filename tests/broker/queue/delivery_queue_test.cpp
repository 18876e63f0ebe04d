// DeliveryQueue: publish and idempotency, strict order per ordering key, ack/nack/backoff,
// dead letters and replay, release and ack timeout, stats, limits. Each test runs on a real
// SQLite file and on a real PostgreSQL schema, with a fake clock (no sleeps).
#include "broker/queue/delivery_queue.hpp"

#include "queue_test_support.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

namespace pse::queue {
namespace {

using namespace std::chrono_literals;
using testing::delivery;
using testing::event;
using testing::QueueFixture;

class DeliveryQueueTest : public ::testing::TestWithParam<pse::testing::Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, DeliveryQueueTest, pse::testing::kEachBackend, pse::testing::backend_name);

PublishAck publish_ok(DeliveryQueue& queue, NewEvent ev, std::vector<NewDelivery> deliveries) {
  auto result = queue.publish(std::move(ev), std::move(deliveries)).get();
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : PublishAck{};
}

std::vector<Delivery> take(DeliveryQueue& queue, const std::string& subscriber, TimePoint now, std::size_t max = 100) {
  auto taken = queue.take_ready(subscriber, now, max);
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

const SubscriberStats* stats_of(const std::vector<SubscriberStats>& all, const std::string& subscriber) {
  for (const SubscriberStats& stats : all) {
    if (stats.subscriber == subscriber) return &stats;
  }
  return nullptr;
}

TEST_P(DeliveryQueueTest, PublishIsDurableThenVisibleToEachSubscriberOnly) {
  QueueFixture fixture(GetParam());
  {
    auto queue = fixture.open();
    const PublishAck ack = publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "{\"address\":\"1 rue A\"}"),
                                                            delivery("saaq", "s1", "{\"address\":\"1 rue A\"}")});
    EXPECT_EQ(ack.event_id, "ev-k1");
    EXPECT_FALSE(ack.duplicate);
    EXPECT_EQ(ack.deliveries, 2U);
    EXPECT_TRUE(take(*queue, "revenu", fixture.clock.now()).empty()) << "not a subscriber of this event";
  }
  // After close and reopen: the committed deliveries are there.
  auto queue = fixture.open();
  const auto taken = take(*queue, "ramq", fixture.clock.now());
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_EQ(taken[0].payload, "{\"address\":\"1 rue A\"}");
  EXPECT_EQ(taken[0].event_id, "ev-k1");
  EXPECT_EQ(taken[0].publisher, "etat-civil");
  EXPECT_EQ(taken[0].category, "identity.address");
  EXPECT_EQ(taken[0].subscriber, "ramq");
  EXPECT_EQ(taken[0].attempt, 1U);
  EXPECT_EQ(taken[0].stored_at, fixture.clock.now());
  EXPECT_EQ(take(*queue, "saaq", fixture.clock.now()).size(), 1U);
}

TEST_P(DeliveryQueueTest, OnReadyIsCalledAfterTheCommitForEachSubscriber) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  std::mutex mutex;
  std::vector<std::string> woken;
  queue->on_ready([&](const std::string& subscriber) {
    std::lock_guard lock(mutex);
    woken.push_back(subscriber);
  });
  publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "x"), delivery("saaq", "s1", "y"), delivery("ramq", "s2", "z")});
  std::lock_guard lock(mutex);
  EXPECT_EQ(woken, (std::vector<std::string>{"ramq", "saaq"}));
}

TEST_P(DeliveryQueueTest, ADuplicateKeyReturnsTheOriginalEventIdAndAddsNothing) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, event("k1", "ev-first"), {delivery("ramq", "s1", "one")});
  const PublishAck again = publish_ok(*queue, event("k1", "ev-second"), {delivery("ramq", "s1", "two")});
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.event_id, "ev-first");
  EXPECT_EQ(again.deliveries, 0U);
  // The same key from another publisher is another event.
  const PublishAck other = publish_ok(*queue, NewEvent{"saaq", "k1", "ev-third", "c"}, {});
  EXPECT_FALSE(other.duplicate);

  // Two publishes with one key in the same batch: one stored, one duplicate.
  auto first = queue->publish(event("k2", "ev-a"), {delivery("ramq", "s2", "a")});
  auto second = queue->publish(event("k2", "ev-b"), {delivery("ramq", "s2", "b")});
  const auto a = first.get();
  const auto b = second.get();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->duplicate);
  EXPECT_TRUE(b->duplicate);
  EXPECT_EQ(b->event_id, "ev-a");

  const auto taken = take(*queue, "ramq", fixture.clock.now());
  EXPECT_EQ(payloads(taken), (std::vector<std::string>{"one", "a"}));
  queue.reset();
  // Still a duplicate after a restart.
  queue = fixture.open();
  EXPECT_TRUE(publish_ok(*queue, event("k1", "ev-fourth"), {}).duplicate);
}

TEST_P(DeliveryQueueTest, IdempotencyKeysArePurgedOnlyAfterTheRetention) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, event("k1", "ev-first"), {});
  fixture.clock.advance(167h);
  publish_ok(*queue, event("other"), {});  // a batch: the writer purges what has expired
  EXPECT_TRUE(publish_ok(*queue, event("k1", "ev-second"), {}).duplicate) << "kept for the whole retention";
  fixture.clock.advance(2h);
  publish_ok(*queue, event("other-2"), {});
  const PublishAck after = publish_ok(*queue, event("k1", "ev-third"), {});
  EXPECT_FALSE(after.duplicate) << "purged after the retention";
  EXPECT_EQ(after.event_id, "ev-third");
}

TEST_P(DeliveryQueueTest, NeverTwoInFlightForOneOrderingKeyAndAlwaysInPublishOrder) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  for (int i = 1; i <= 3; ++i) {
    publish_ok(*queue, event("a" + std::to_string(i)), {delivery("ramq", "subject-a", "a" + std::to_string(i))});
  }
  publish_ok(*queue, event("b1"), {delivery("ramq", "subject-b", "b1")});
  const TimePoint now = fixture.clock.now();
  auto first = take(*queue, "ramq", now);
  EXPECT_EQ(payloads(first), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_TRUE(take(*queue, "ramq", now).empty()) << "a2 waits for a1";
  ASSERT_TRUE(queue->ack("ramq", first[0].id).ok());
  ASSERT_TRUE(queue->flush().ok());
  auto second = take(*queue, "ramq", now);
  EXPECT_EQ(payloads(second), (std::vector<std::string>{"a2"}));
  ASSERT_TRUE(queue->ack("ramq", second[0].id).ok());
  ASSERT_TRUE(queue->flush().ok());
  EXPECT_EQ(payloads(take(*queue, "ramq", now)), (std::vector<std::string>{"a3"}));
}

// Holds the writer thread inside the on_ready callback until released, so that operations
// queued meanwhile wait for their commit.
class WriterGate {
 public:
  explicit WriterGate(DeliveryQueue& queue) : queue_(queue) {
    queue.on_ready([this](const std::string&) {
      std::unique_lock lock(mutex_);
      blocked_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    });
  }
  ~WriterGate() {
    release();
    queue_.on_ready(nullptr);
  }
  WriterGate(const WriterGate&) = delete;
  WriterGate& operator=(const WriterGate&) = delete;

  void wait_until_blocked() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return blocked_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  DeliveryQueue& queue_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool blocked_ = false;
  bool released_ = false;
};

TEST_P(DeliveryQueueTest, TheNextDeliveryOfAKeyWaitsForTheAckToCommit) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, event("a1"), {delivery("ramq", "subject-a", "a1")});
  publish_ok(*queue, event("a2"), {delivery("ramq", "subject-a", "a2")});
  const TimePoint now = fixture.clock.now();
  const auto first = take(*queue, "ramq", now);
  ASSERT_EQ(payloads(first), (std::vector<std::string>{"a1"}));

  WriterGate gate(*queue);
  auto blocker = queue->publish(event("other"), {delivery("saaq", "s", "x")});
  gate.wait_until_blocked();
  ASSERT_TRUE(queue->ack("ramq", first[0].id).ok());  // queued behind the held writer
  EXPECT_TRUE(take(*queue, "ramq", now).empty()) << "a2 must wait until a1's deletion is committed";
  const auto stats = queue->stats(now);
  ASSERT_NE(stats_of(stats, "ramq"), nullptr);
  EXPECT_EQ(stats_of(stats, "ramq")->in_flight, 1U) << "acked but not yet committed";
  gate.release();
  ASSERT_TRUE(blocker.get().ok());
  ASSERT_TRUE(queue->flush().ok());
  EXPECT_EQ(payloads(take(*queue, "ramq", now)), (std::vector<std::string>{"a2"}));
}

TEST_P(DeliveryQueueTest, TakeReadyRespectsMax) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  std::vector<NewDelivery> many;
  for (int i = 0; i < 10; ++i) many.push_back(delivery("ramq", "s" + std::to_string(i), std::to_string(i)));
  publish_ok(*queue, event("k"), many);
  EXPECT_EQ(take(*queue, "ramq", fixture.clock.now(), 4).size(), 4U);
  EXPECT_EQ(take(*queue, "ramq", fixture.clock.now(), 4).size(), 4U);
  EXPECT_EQ(take(*queue, "ramq", fixture.clock.now(), 4).size(), 2U);
  EXPECT_TRUE(take(*queue, "ramq", fixture.clock.now(), 0).empty());
}

TEST_P(DeliveryQueueTest, AStrictOrderPerSubjectHoldsUnderNackAndBackoff) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, event("a1"), {delivery("ramq", "subject-a", "a1")});
  publish_ok(*queue, event("a2"), {delivery("ramq", "subject-a", "a2")});
  publish_ok(*queue, event("b1"), {delivery("ramq", "subject-b", "b1")});
  TimePoint now = fixture.clock.now();
  auto taken = take(*queue, "ramq", now);
  ASSERT_EQ(payloads(taken), (std::vector<std::string>{"a1", "b1"}));
  ASSERT_TRUE(queue->nack("ramq", taken[0].id, now, "connector said 503").ok());
  ASSERT_TRUE(queue->ack("ramq", taken[1].id).ok());
  ASSERT_TRUE(queue->flush().ok());

  // a1 is in backoff (1 s): neither a1 nor a2 may go.
  EXPECT_TRUE(take(*queue, "ramq", now).empty());
  EXPECT_TRUE(take(*queue, "ramq", now + 999ms).empty());
  auto due = queue->next_due("ramq");
  ASSERT_TRUE(due.ok() && due->has_value());
  EXPECT_EQ(**due, now + 1s);

  auto retried = take(*queue, "ramq", now + 1s);
  ASSERT_EQ(payloads(retried), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(retried[0].attempt, 2U);
  ASSERT_TRUE(queue->ack("ramq", retried[0].id).ok());
  ASSERT_TRUE(queue->flush().ok());
  EXPECT_EQ(payloads(take(*queue, "ramq", now + 1s)), (std::vector<std::string>{"a2"}));
}

TEST_P(DeliveryQueueTest, AckDeletesTheRowAndAForeignOrLateAckIsAnError) {
  QueueFixture fixture(GetParam());
  {
    auto queue = fixture.open();
    publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "one"), delivery("saaq", "s1", "one")});
    const auto taken = take(*queue, "ramq", fixture.clock.now());
    ASSERT_EQ(taken.size(), 1U);
    const auto foreign = queue->ack("saaq", taken[0].id);
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.error().code, QueueErrorCode::not_in_flight);
    ASSERT_TRUE(queue->ack("ramq", taken[0].id).ok());
    const auto twice = queue->ack("ramq", taken[0].id);
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().code, QueueErrorCode::not_in_flight);
    EXPECT_EQ(queue->ack("nobody", 12345).error().code, QueueErrorCode::not_in_flight);
    EXPECT_EQ(queue->nack("ramq", 12345, fixture.clock.now()).error().code, QueueErrorCode::not_in_flight);
  }
  auto queue = fixture.open();
  EXPECT_TRUE(take(*queue, "ramq", fixture.clock.now()).empty()) << "acked: gone after restart";
  EXPECT_EQ(take(*queue, "saaq", fixture.clock.now()).size(), 1U) << "the other subscriber's copy stays";
  EXPECT_EQ(stats_of(queue->stats(fixture.clock.now()), "ramq"), nullptr);
}

TEST_P(DeliveryQueueTest, NackBacksOffExponentiallyUpToTheCapThenDeadLetters) {
  QueueFixture fixture(GetParam());  // retry 1 s doubling, capped at 8 s, 4 attempts, no jitter
  QueueOptions options = fixture.options();
  options.max_attempts = 5;
  options.retry_max = 4s;
  auto queue = fixture.open(options);
  publish_ok(*queue, event("a1"), {delivery("ramq", "subject-a", "a1")});
  publish_ok(*queue, event("a2"), {delivery("ramq", "subject-a", "a2")});
  TimePoint now = fixture.clock.now();
  const std::vector<std::chrono::seconds> expected = {1s, 2s, 4s, 4s};
  std::uint64_t id = 0;
  for (std::size_t attempt = 0; attempt < expected.size(); ++attempt) {
    auto taken = take(*queue, "ramq", now);
    ASSERT_EQ(payloads(taken), (std::vector<std::string>{"a1"})) << "attempt " << attempt + 1;
    EXPECT_EQ(taken[0].attempt, attempt + 1);
    id = taken[0].id;
    ASSERT_TRUE(queue->nack("ramq", id, now, "failure " + std::to_string(attempt + 1)).ok());
    ASSERT_TRUE(queue->flush().ok());
    auto due = queue->next_due("ramq");
    ASSERT_TRUE(due.ok() && due->has_value());
    EXPECT_EQ(**due - now, expected[attempt]) << "after attempt " << attempt + 1;
    EXPECT_TRUE(take(*queue, "ramq", **due - 1ms).empty());
    now = **due;
  }
  auto last = take(*queue, "ramq", now);
  ASSERT_EQ(last.size(), 1U);
  EXPECT_EQ(last[0].attempt, 5U);
  ASSERT_TRUE(queue->nack("ramq", id, now, "failure 5").ok());
  ASSERT_TRUE(queue->flush().ok());

  // Dead after 5 attempts: listed, and the next delivery of the subject goes ahead.
  auto dead = queue->list_dead("ramq", 10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1U);
  EXPECT_EQ((*dead)[0].id, id);
  EXPECT_EQ((*dead)[0].attempts, 5U);
  EXPECT_EQ((*dead)[0].event_id, "ev-a1");
  EXPECT_EQ((*dead)[0].last_error, "failure 5");
  EXPECT_EQ((*dead)[0].stored_at, fixture.clock.now());
  EXPECT_EQ(payloads(take(*queue, "ramq", now)), (std::vector<std::string>{"a2"}));
  const auto all_stats = queue->stats(now);
  const SubscriberStats* stats = stats_of(all_stats, "ramq");
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->dead, 1U);
  EXPECT_EQ(stats->in_flight, 1U);
  EXPECT_EQ(stats->ready, 0U);
}

TEST_P(DeliveryQueueTest, JitterShortensBackoffWithinItsShare) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.retry_jitter = 0.5;
  options.retry_initial = 10s;
  options.retry_max = 1h;
  options.max_attempts = 100;
  auto queue = fixture.open(options);
  publish_ok(*queue, event("a1"), {delivery("ramq", "subject-a", "a1")});
  const TimePoint now = fixture.clock.now();
  std::set<Clock::duration> seen;
  TimePoint at = now;
  for (int i = 0; i < 5; ++i) {
    auto taken = take(*queue, "ramq", at);
    ASSERT_EQ(taken.size(), 1U);
    ASSERT_TRUE(queue->release_in_flight("ramq") == 1U);
    taken = take(*queue, "ramq", at);
    ASSERT_TRUE(queue->nack("ramq", taken[0].id, at).ok());
    ASSERT_TRUE(queue->flush().ok());
    const auto due = queue->next_due("ramq");
    ASSERT_TRUE(due.ok() && due->has_value());
    const auto full = std::chrono::duration_cast<Clock::duration>(10s * (1 << i));
    const auto delay = **due - at;
    EXPECT_LE(delay, full);
    EXPECT_GE(delay, full / 2);
    seen.insert(delay);
    at = **due;
  }
  EXPECT_GT(seen.size(), 1U);
}

TEST_P(DeliveryQueueTest, ReplayPutsDeadLettersBackWithAttemptsReset) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.max_attempts = 1;
  auto queue = fixture.open(options);
  publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "one")});
  publish_ok(*queue, event("k2"), {delivery("ramq", "s2", "two")});
  publish_ok(*queue, event("k3"), {delivery("ramq", "s3", "three")});
  TimePoint now = fixture.clock.now();
  for (const Delivery& d : take(*queue, "ramq", now)) ASSERT_TRUE(queue->nack("ramq", d.id, now).ok());
  ASSERT_TRUE(queue->flush().ok());
  auto dead = queue->list_dead("", 10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 3U);
  EXPECT_TRUE(take(*queue, "ramq", now + 1h).empty());

  auto one = queue->replay_dead((*dead)[1].id);
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(*one, 1U);
  auto replayed = take(*queue, "ramq", now);
  ASSERT_EQ(payloads(replayed), (std::vector<std::string>{"two"}));
  EXPECT_EQ(replayed[0].attempt, 1U);
  EXPECT_EQ(queue->replay_dead((*dead)[1].id).error().code, QueueErrorCode::not_found) << "not dead any more";
  EXPECT_EQ(queue->replay_dead(999999).error().code, QueueErrorCode::not_found);

  queue.reset();  // replays are durable
  queue = fixture.open(options);
  auto all = queue->replay_dead_all("ramq");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 2U);
  EXPECT_EQ(payloads(take(*queue, "ramq", now)), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(queue->list_dead("ramq", 10)->empty());
  EXPECT_EQ(*queue->replay_dead_all("ramq"), 0U);
}

TEST_P(DeliveryQueueTest, ReleaseInFlightMakesEverythingReadyAgainWithoutCountingAnAttempt) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "one"), delivery("saaq", "s1", "x")});
  publish_ok(*queue, event("k2"), {delivery("ramq", "s2", "two")});
  const TimePoint now = fixture.clock.now();
  ASSERT_EQ(take(*queue, "ramq", now).size(), 2U);
  ASSERT_EQ(take(*queue, "saaq", now).size(), 1U);
  EXPECT_TRUE(take(*queue, "ramq", now).empty());
  EXPECT_EQ(queue->release_in_flight("ramq"), 2U);
  const auto again = take(*queue, "ramq", now);
  EXPECT_EQ(payloads(again), (std::vector<std::string>{"one", "two"}));
  for (const Delivery& d : again) EXPECT_EQ(d.attempt, 1U);
  EXPECT_TRUE(take(*queue, "saaq", now).empty()) << "another subscriber's in-flight deliveries stay";
  EXPECT_EQ(queue->release_in_flight("nobody"), 0U);
}

TEST_P(DeliveryQueueTest, AnAckTimeoutCountsAsAFailedAttempt) {
  QueueFixture fixture(GetParam());  // ack timeout 30 s
  auto queue = fixture.open();
  publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "one")});
  const TimePoint now = fixture.clock.now();
  EXPECT_FALSE(queue->next_expiry().has_value());
  const auto taken = take(*queue, "ramq", now);
  ASSERT_EQ(taken.size(), 1U);
  ASSERT_TRUE(queue->next_expiry().has_value());
  EXPECT_EQ(*queue->next_expiry(), now + 30s);
  EXPECT_EQ(queue->expire_in_flight(now + 29s), 0U);
  EXPECT_EQ(queue->expire_in_flight(now + 30s), 1U);
  EXPECT_FALSE(queue->next_expiry().has_value());
  ASSERT_TRUE(queue->flush().ok());
  EXPECT_EQ(queue->ack("ramq", taken[0].id).error().code, QueueErrorCode::not_in_flight) << "a late ack";
  EXPECT_TRUE(take(*queue, "ramq", now + 30s).empty()) << "in backoff";
  const auto retried = take(*queue, "ramq", now + 31s);
  ASSERT_EQ(retried.size(), 1U);
  EXPECT_EQ(retried[0].attempt, 2U);
  auto dead = queue->list_dead("ramq", 1);  // not dead, but the error is recorded on the row
  EXPECT_TRUE(dead.ok() && dead->empty());
}

TEST_P(DeliveryQueueTest, StatsAreRightAndStayRightAfterAReopen) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.max_attempts = 1;
  const TimePoint first_publish = fixture.clock.now();
  {
    auto queue = fixture.open(options);
    for (int i = 0; i < 5; ++i) {
      publish_ok(*queue, event("a" + std::to_string(i)), {delivery("ramq", "s" + std::to_string(i), "p")});
      fixture.clock.advance(10s);
    }
    for (int i = 0; i < 3; ++i) {
      publish_ok(*queue, event("b" + std::to_string(i)), {delivery("saaq", "s", "p")});
    }
    const TimePoint now = fixture.clock.now();
    auto taken = take(*queue, "ramq", now, 2);
    ASSERT_EQ(taken.size(), 2U);
    ASSERT_TRUE(queue->nack("ramq", taken[0].id, now).ok());  // the oldest: now dead
    ASSERT_TRUE(queue->flush().ok());
    const auto stats = queue->stats(now);
    const SubscriberStats* ramq = stats_of(stats, "ramq");
    ASSERT_NE(ramq, nullptr);
    EXPECT_EQ(ramq->ready, 3U);
    EXPECT_EQ(ramq->in_flight, 1U);
    EXPECT_EQ(ramq->dead, 1U);
    EXPECT_DOUBLE_EQ(ramq->oldest_pending_age_seconds, 40.0) << "a1, published 10 s after a0";
    const SubscriberStats* saaq = stats_of(stats, "saaq");
    ASSERT_NE(saaq, nullptr);
    EXPECT_EQ(saaq->ready, 3U);
    EXPECT_DOUBLE_EQ(saaq->oldest_pending_age_seconds, 0.0);
  }
  auto queue = fixture.open(options);
  const TimePoint later = first_publish + 100s;
  const auto stats = queue->stats(later);
  ASSERT_EQ(stats.size(), 2U);
  const SubscriberStats* ramq = stats_of(stats, "ramq");
  ASSERT_NE(ramq, nullptr);
  EXPECT_EQ(ramq->ready, 4U) << "the in-flight one is ready again after a restart";
  EXPECT_EQ(ramq->in_flight, 0U);
  EXPECT_EQ(ramq->dead, 1U);
  EXPECT_DOUBLE_EQ(ramq->oldest_pending_age_seconds, 90.0);
  EXPECT_EQ(stats_of(stats, "saaq")->ready, 3U);
  // An ack after the reopen keeps the counters in step.
  for (const Delivery& d : take(*queue, "saaq", later, 1)) ASSERT_TRUE(queue->ack("saaq", d.id).ok());
  ASSERT_TRUE(queue->flush().ok());
  EXPECT_EQ(stats_of(queue->stats(later), "saaq")->ready, 2U);
}

TEST_P(DeliveryQueueTest, NextDueSkipsInFlightKeysAndIsEmptyWithNothingPending) {
  QueueFixture fixture(GetParam());
  auto queue = fixture.open();
  EXPECT_FALSE(queue->next_due("ramq")->has_value());
  publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "one")});
  const TimePoint now = fixture.clock.now();
  ASSERT_TRUE(queue->next_due("ramq")->has_value());
  EXPECT_EQ(**queue->next_due("ramq"), now);
  ASSERT_EQ(take(*queue, "ramq", now).size(), 1U);
  EXPECT_FALSE(queue->next_due("ramq")->has_value()) << "the only key is in flight";
}

TEST_P(DeliveryQueueTest, RefusesOversizedPayloadsAndBadArguments) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.max_payload_bytes = 16;
  auto queue = fixture.open(options);
  auto big = queue->publish(event("k1"), {delivery("ramq", "s1", std::string(17, 'x'))}).get();
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, QueueErrorCode::payload_too_large);
  EXPECT_EQ(big.error().message.find("xxxx"), std::string::npos);
  EXPECT_TRUE(queue->publish(event("k1"), {delivery("ramq", "s1", std::string(16, 'x'))}).get().ok());
  EXPECT_EQ(queue->publish(event(""), {}).get().error().code, QueueErrorCode::invalid_argument);
  EXPECT_EQ(queue->publish(event("k2"), {delivery("", "s1", "x")}).get().error().code,
            QueueErrorCode::invalid_argument);
  EXPECT_EQ(queue->publish(event("k2"), {delivery("ramq", "", "x")}).get().error().code,
            QueueErrorCode::invalid_argument);
  queue->close();
  EXPECT_EQ(queue->publish(event("k3"), {}).get().error().code, QueueErrorCode::closed);
  EXPECT_EQ(queue->take_ready("ramq", fixture.clock.now(), 1).error().code, QueueErrorCode::closed);
}

TEST_P(DeliveryQueueTest, RefusesPublishesWithOverloadedWhenTheWriterFallsBehind) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.max_pending_ops = 4;
  auto queue = fixture.open(options);
  WriterGate gate(*queue);  // publishes pile up while the writer is held
  auto first = queue->publish(event("k0"), {delivery("ramq", "s", "p")});
  gate.wait_until_blocked();
  std::vector<std::future<DeliveryQueue::PublishResult>> accepted;
  for (int i = 1; i <= 4; ++i) accepted.push_back(queue->publish(event("k" + std::to_string(i)), {}));
  auto refused = queue->publish(event("k5"), {}).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, QueueErrorCode::overloaded);
  gate.release();
  EXPECT_TRUE(first.get().ok());
  for (auto& result : accepted) EXPECT_TRUE(result.get().ok());
  EXPECT_TRUE(queue->publish(event("k5"), {}).get().ok()) << "accepted again once the writer caught up";
}

TEST_P(DeliveryQueueTest, BoundsTheBytesWaitingForTheWriter) {
  QueueFixture fixture(GetParam());
  QueueOptions options = fixture.options();
  options.max_pending_bytes = 10;
  auto queue = fixture.open(options);
  // Alone in an empty queue, a publish larger than the bound still goes through.
  EXPECT_TRUE(queue->publish(event("big"), {delivery("ramq", "s", std::string(16, 'x'))}).get().ok());
  WriterGate gate(*queue);
  auto first = queue->publish(event("k0"), {delivery("ramq", "s0", "p")});
  gate.wait_until_blocked();
  auto second = queue->publish(event("k1"), {delivery("ramq", "s1", std::string(8, 'x'))});
  auto refused = queue->publish(event("k2"), {delivery("ramq", "s2", std::string(8, 'x'))}).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, QueueErrorCode::overloaded);
  gate.release();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(second.get().ok());
}

TEST_P(DeliveryQueueTest, CloseCommitsWhatIsQueued) {
  QueueFixture fixture(GetParam());
  std::vector<std::future<DeliveryQueue::PublishResult>> results;
  {
    auto queue = fixture.open();
    for (int i = 0; i < 200; ++i) {
      results.push_back(queue->publish(event("k" + std::to_string(i)), {delivery("ramq", "s" + std::to_string(i), "p")}));
    }
    queue->close();
  }
  for (auto& result : results) EXPECT_TRUE(result.get().ok());
  auto queue = fixture.open();
  EXPECT_EQ(take(*queue, "ramq", fixture.clock.now(), 1000).size(), 200U);
}

}  // namespace
}  // namespace pse::queue

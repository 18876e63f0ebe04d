// Crash safety with a real process: every publish a writer killed with SIGKILL reported durable
// is present after a restart (its idempotency key and its deliveries), and the database is
// consistent (integrity check, heads, counters).
#include "broker/queue/delivery_queue.hpp"

#include "queue_test_support.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

namespace pse::queue {
namespace {

// Starts the publisher, reads the numbers it reports until `wanted` have come, then kills it
// with SIGKILL. Returns every number it reported.
std::set<std::uint64_t> run_and_kill(const testing::QueueFixture& fixture, std::uint64_t first, std::size_t wanted) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) throw std::runtime_error("pipe failed");
  const std::string first_text = std::to_string(first);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(pipe_ends[1], STDOUT_FILENO);
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    ::execl(PSE_QUEUE_CRASH_PUBLISHER, PSE_QUEUE_CRASH_PUBLISHER, fixture.database.c_str(), fixture.keys.c_str(),
            first_text.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(pipe_ends[1]);
  std::set<std::uint64_t> reported;
  std::string pending;
  char buffer[4096];
  while (reported.size() < wanted) {
    const auto got = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (got <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(got));
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      reported.insert(std::stoull(pending.substr(0, newline)));
      pending.erase(0, newline + 1);
    }
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipe_ends[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the publisher must die by SIGKILL";
  return reported;
}

std::int64_t scalar(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return -1;
  sqlite3_stmt* statement = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_type(statement, 0) == SQLITE_TEXT
                ? (std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))) == "ok" ? 0 : -2)
                : sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

void expect_consistent(const std::filesystem::path& database) {
  EXPECT_EQ(scalar(database, "PRAGMA integrity_check"), 0);
  // The stored counters match the rows.
  EXPECT_EQ(scalar(database,
                   "SELECT count(*) FROM subscriber_counts c WHERE pending != (SELECT count(*) FROM deliveries d "
                   "WHERE d.subscriber = c.subscriber AND d.dead = 0) OR dead != (SELECT count(*) FROM deliveries d "
                   "WHERE d.subscriber = c.subscriber AND d.dead = 1)"),
            0);
  // Every key with pending rows has exactly its oldest pending row as head, and no other heads.
  EXPECT_EQ(scalar(database,
                   "SELECT count(*) FROM (SELECT subscriber, ordering_key, min(id) AS oldest FROM deliveries "
                   "WHERE dead = 0 GROUP BY subscriber, ordering_key) g LEFT JOIN heads h "
                   "ON h.subscriber = g.subscriber AND h.ordering_key = g.ordering_key "
                   "WHERE h.delivery_id IS NOT g.oldest"),
            0);
  EXPECT_EQ(scalar(database,
                   "SELECT count(*) FROM heads h WHERE NOT EXISTS (SELECT 1 FROM deliveries d "
                   "WHERE d.id = h.delivery_id AND d.dead = 0)"),
            0);
}

// Reopens (recovery), checks every reported publish is there, then drains "ramq".
void expect_all_present(const testing::QueueFixture& fixture, const std::set<std::uint64_t>& reported,
                        std::set<std::uint64_t>& delivered_to_ramq) {
  expect_consistent(fixture.database);
  QueueOptions options = fixture.options();
  options.clock = [] { return Clock::now(); };
  auto queue = fixture.open(options);
  // Each reported publish's key is stored with its event id.
  std::vector<std::pair<std::uint64_t, std::future<DeliveryQueue::PublishResult>>> republished;
  for (const std::uint64_t i : reported) {
    const std::string n = std::to_string(i);
    republished.emplace_back(i, queue->publish(NewEvent{"etat-civil", "key-" + n, "ev-again-" + n, "c"}, {}));
  }
  for (auto& [i, result] : republished) {
    const auto ack = result.get();
    ASSERT_TRUE(ack.ok()) << ack.error().message;
    ASSERT_TRUE(ack->duplicate) << "durable publish " << i << " lost its idempotency key";
    ASSERT_EQ(ack->event_id, "ev-" + std::to_string(i));
  }
  // Drain ramq, which nobody acked: every reported event must come.
  const auto now = Clock::now();
  while (true) {
    auto taken = queue->take_ready("ramq", now, 1000);
    ASSERT_TRUE(taken.ok());
    ASSERT_TRUE(taken->unreadable.empty());
    if (taken->deliveries.empty()) break;
    for (const Delivery& delivery : taken->deliveries) {
      const std::uint64_t i = std::stoull(delivery.event_id.substr(3));
      ASSERT_EQ(delivery.payload, "payload-" + std::to_string(i));
      delivered_to_ramq.insert(i);
      ASSERT_TRUE(queue->ack("ramq", delivery.id).ok());
    }
    ASSERT_TRUE(queue->flush().ok());
  }
  for (const std::uint64_t i : reported) {
    ASSERT_TRUE(delivered_to_ramq.contains(i)) << "durable publish " << i << " lost its delivery";
  }
  const auto stats = queue->stats(now);
  for (const SubscriberStats& s : stats) EXPECT_NE(s.subscriber, "ramq") << "drained";
  queue.reset();
  expect_consistent(fixture.database);
}

TEST(QueueCrashTest, DurablePublishesSurviveSigkillAndTheDatabaseStaysConsistent) {
  testing::QueueFixture fixture;
  std::set<std::uint64_t> delivered;
  const auto first = run_and_kill(fixture, 0, 1500);
  ASSERT_GE(first.size(), 1500U);
  expect_all_present(fixture, first, delivered);

  // A second run continues the same database after the crash, and is killed too.
  const auto second = run_and_kill(fixture, 1'000'000, 500);
  ASSERT_GE(second.size(), 500U);
  expect_all_present(fixture, second, delivered);
}

}  // namespace
}  // namespace pse::queue

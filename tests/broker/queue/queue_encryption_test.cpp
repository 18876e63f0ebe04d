// Payloads at rest: never in clear in the database files, tampering and swapping detected,
// keys rotate, an unknown key id is an error value and the row stays. All but the file test run
// on SQLite and on PostgreSQL (pg_queue_store_test.cpp reads PostgreSQL's rows for clear text).
#include "broker/queue/delivery_queue.hpp"

#include "queue_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pse::queue {
namespace {

using testing::delivery;
using testing::event;
using testing::QueueFixture;

constexpr std::string_view secret = "NAS-123-456-789 Tremblay, 42 rue des Érables";

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class QueueEncryptionOnEachBackend : public ::testing::TestWithParam<pse::testing::Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, QueueEncryptionOnEachBackend, pse::testing::kEachBackend, pse::testing::backend_name);

// Flips the first byte of the oldest row's ciphertext.
void tamper_with_first_row(const QueueFixture& fixture) {
  if (fixture.postgres) {
    fixture.run_sql(
        "UPDATE queue_deliveries SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) "
        "WHERE id = (SELECT min(id) FROM queue_deliveries)");
    return;
  }
  fixture.run_sql(
      "UPDATE deliveries SET ciphertext = (CASE WHEN substr(ciphertext,1,1) = x'00' THEN x'01' ELSE x'00' END) "
      "|| substr(ciphertext, 2) WHERE id = (SELECT min(id) FROM deliveries)");
}

void publish_ok(DeliveryQueue& queue, NewEvent ev, std::vector<NewDelivery> deliveries) {
  auto result = queue.publish(std::move(ev), std::move(deliveries)).get();
  ASSERT_TRUE(result.ok()) << result.error().message;
}

TEST(QueueEncryptionTest, PayloadBytesAreNeverInTheDatabaseFilesInClear) {
  QueueFixture fixture;
  {
    auto queue = fixture.open();
    for (int i = 0; i < 50; ++i) {
      publish_ok(*queue, event("k" + std::to_string(i)), {delivery("ramq", "s" + std::to_string(i), std::string(secret))});
    }
    // While open (the WAL holds the rows) and after close (checkpointed into the main file).
    for (const auto& entry : std::filesystem::directory_iterator(fixture.dir.path())) {
      if (entry.is_regular_file()) {
        EXPECT_EQ(read_all(entry.path()).find("Tremblay"), std::string::npos) << entry.path();
      }
    }
    auto taken = queue->take_ready("ramq", fixture.clock.now(), 1);
    ASSERT_TRUE(taken.ok());
    ASSERT_EQ(taken->deliveries.size(), 1U);
    EXPECT_EQ(taken->deliveries[0].payload, secret) << "and yet it decrypts";
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixture.dir.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string content = read_all(entry.path());
    EXPECT_EQ(content.find("Tremblay"), std::string::npos) << entry.path();
    EXPECT_EQ(content.find("NAS-123"), std::string::npos) << entry.path();
  }
  EXPECT_GE(files, 1U);
  EXPECT_EQ(fixture.count_deliveries(), 50) << "the rows are there, sealed";
}

TEST_P(QueueEncryptionOnEachBackend, ATamperedCiphertextIsReportedAndLeftInPlace) {
  QueueFixture fixture(GetParam());
  {
    auto queue = fixture.open();
    publish_ok(*queue, event("k1"), {delivery("ramq", "s1", std::string(secret))});
    publish_ok(*queue, event("k2"), {delivery("ramq", "s2", "fine")});
  }
  tamper_with_first_row(fixture);
  auto queue = fixture.open();
  auto taken = queue->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->unreadable.size(), 1U);
  EXPECT_EQ(taken->unreadable[0].error.code, QueueErrorCode::decrypt_failed);
  EXPECT_EQ(taken->unreadable[0].event_id, "ev-k1");
  EXPECT_EQ(taken->unreadable[0].error.message.find("Tremblay"), std::string::npos);
  ASSERT_EQ(taken->deliveries.size(), 1U) << "the other subject is not held up";
  EXPECT_EQ(taken->deliveries[0].payload, "fine");
  // Reported once, then held back; the row stays and is counted.
  auto again = queue->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->unreadable.empty());
  EXPECT_TRUE(again->deliveries.empty());
  const auto stats = queue->stats(fixture.clock.now());
  ASSERT_EQ(stats.size(), 1U);
  EXPECT_EQ(stats[0].unreadable, 1U);
  EXPECT_EQ(stats[0].in_flight, 1U);
  EXPECT_EQ(stats[0].ready, 0U) << "the unreadable row is not ready";
  queue.reset();
  EXPECT_EQ(fixture.count_deliveries(), 2);
}

TEST_P(QueueEncryptionOnEachBackend, SwappedRowsAreDetected) {
  QueueFixture fixture(GetParam());
  {
    auto queue = fixture.open();
    publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "for subject one"), delivery("saaq", "s1", "copy")});
    publish_ok(*queue, event("k2"), {delivery("ramq", "s2", "for subject two")});
  }
  // Swap the sealed payloads of rows 1 and 3 (same subscriber), and give row 2 (saaq) row 1's.
  const std::string table = fixture.deliveries();
  fixture.run_sql("CREATE TEMP TABLE sealed AS SELECT id, key_id, nonce, ciphertext FROM " + table + ";"
                  "UPDATE " + table + " SET nonce = (SELECT nonce FROM sealed WHERE id = 3), "
                  "ciphertext = (SELECT ciphertext FROM sealed WHERE id = 3) WHERE id = 1;"
                  "UPDATE " + table + " SET nonce = (SELECT nonce FROM sealed WHERE id = 1), "
                  "ciphertext = (SELECT ciphertext FROM sealed WHERE id = 1) WHERE id = 3;"
                  "UPDATE " + table + " SET nonce = (SELECT nonce FROM sealed WHERE id = 1), "
                  "ciphertext = (SELECT ciphertext FROM sealed WHERE id = 1) WHERE id = 2;");
  auto queue = fixture.open();
  auto ramq = queue->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(ramq.ok());
  EXPECT_TRUE(ramq->deliveries.empty());
  EXPECT_EQ(ramq->unreadable.size(), 2U);
  auto saaq = queue->take_ready("saaq", fixture.clock.now(), 10);
  ASSERT_TRUE(saaq.ok());
  EXPECT_TRUE(saaq->deliveries.empty());
  ASSERT_EQ(saaq->unreadable.size(), 1U);
  EXPECT_EQ(saaq->unreadable[0].error.code, QueueErrorCode::decrypt_failed);
}

TEST_P(QueueEncryptionOnEachBackend, KeysRotateOldRowsStayReadable) {
  QueueFixture fixture(GetParam());
  {
    auto queue = fixture.open("a");
    publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "under a")});
  }
  {
    auto queue = fixture.open("b");  // both files present, b active
    publish_ok(*queue, event("k2"), {delivery("ramq", "s2", "under b")});
    auto taken = queue->take_ready("ramq", fixture.clock.now(), 10);
    ASSERT_TRUE(taken.ok());
    EXPECT_TRUE(taken->unreadable.empty());
    ASSERT_EQ(taken->deliveries.size(), 2U);
    EXPECT_EQ(taken->deliveries[0].payload, "under a");
    EXPECT_EQ(taken->deliveries[1].payload, "under b");
  }
  EXPECT_EQ(fixture.count_deliveries("key_id = 'a'"), 1);
  EXPECT_EQ(fixture.count_deliveries("key_id = 'b'"), 1);
}

TEST_P(QueueEncryptionOnEachBackend, AnUnknownKeyIdIsAnErrorValueAndTheRowStays) {
  QueueFixture fixture(GetParam());
  {
    auto queue = fixture.open("a");
    publish_ok(*queue, event("k1"), {delivery("ramq", "s1", "under a")});
  }
  std::filesystem::rename(fixture.keys / "queue-a.key", fixture.dir / "queue-a.key.away");
  {
    auto queue = fixture.open("b");
    publish_ok(*queue, event("k2"), {delivery("ramq", "s2", "under b")});
    auto taken = queue->take_ready("ramq", fixture.clock.now(), 10);
    ASSERT_TRUE(taken.ok());
    ASSERT_EQ(taken->unreadable.size(), 1U);
    EXPECT_EQ(taken->unreadable[0].error.code, QueueErrorCode::unknown_key);
    EXPECT_NE(taken->unreadable[0].error.message.find("'a'"), std::string::npos);
    ASSERT_EQ(taken->deliveries.size(), 1U);
    EXPECT_EQ(taken->deliveries[0].payload, "under b");
  }
  // With the key back, the row is delivered.
  std::filesystem::rename(fixture.dir / "queue-a.key.away", fixture.keys / "queue-a.key");
  auto queue = fixture.open("b");
  auto taken = queue->take_ready("ramq", fixture.clock.now(), 10);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(taken->unreadable.empty());
  ASSERT_EQ(taken->deliveries.size(), 2U);
  EXPECT_EQ(taken->deliveries[0].payload, "under a");
}

}  // namespace
}  // namespace pse::queue

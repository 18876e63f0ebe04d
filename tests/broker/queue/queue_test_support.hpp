// Shared by the delivery queue tests: key files, a fake clock, a queue on either backend (an
// SQLite file in a temp directory, or a fresh schema of the test run's PostgreSQL).
#pragma once

#include "broker/queue/delivery_queue.hpp"
#include "broker/queue/pg_queue_store.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pse::queue::testing {

/// `openssl rand -base64 32` done with libsodium.
inline std::string random_key_base64(std::size_t bytes = queue_key_bytes) {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  std::vector<unsigned char> key(bytes);
  randombytes_buf(key.data(), key.size());
  std::string text(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.find('\0'));
  return text;
}

/// Writes `<dir>/queue-<id>.key` with `content` and `mode`.
inline std::filesystem::path write_key_file(const pse::testing::TempDir& dir, const std::string& id,
                                            const std::string& content, mode_t mode = 0600) {
  const auto file = dir.write("keys/queue-" + id + ".key", content);
  ::chmod(file.c_str(), mode);
  return file;
}

/// A settable clock shared by the test and the queue.
class FakeClock {
 public:
  FakeClock() : micros_(std::make_shared<std::atomic<std::int64_t>>(1'800'000'000'000'000)) {}
  TimePoint now() const {
    return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros_->load())));
  }
  void advance(std::chrono::microseconds by) { *micros_ += by.count(); }
  std::function<TimePoint()> function() const {
    return [micros = micros_] {
      return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros->load())));
    };
  }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> micros_;
};

/// Keys "a" and "b" on disk in a temp dir, and a queue's store: the SQLite file `database`
/// there, or a fresh PostgreSQL schema (`postgres`).
struct QueueFixture {
  pse::testing::TempDir dir;
  std::filesystem::path keys = dir / "keys";
  std::filesystem::path database = dir / "queue.db";
  std::optional<PgConnectOptions> postgres;
  FakeClock clock;

  explicit QueueFixture(pse::testing::Backend backend = pse::testing::Backend::sqlite) {
    write_key_file(dir, "a", random_key_base64() + "\n");
    write_key_file(dir, "b", random_key_base64() + "\n");
    if (backend == pse::testing::Backend::postgresql) postgres = pse::testing::fresh_pg_schema();
  }

  QueueOptions options() const {
    QueueOptions options;
    options.path = database;
    options.clock = clock.function();
    options.retry_jitter = 0;
    options.retry_initial = std::chrono::seconds(1);
    options.retry_max = std::chrono::seconds(8);
    options.max_attempts = 4;
    options.ack_timeout = std::chrono::seconds(30);
    return options;
  }

  std::unique_ptr<DeliveryQueue> open(const std::string& active = "a") const { return open(options(), active); }
  std::unique_ptr<DeliveryQueue> open(QueueOptions options, const std::string& active = "a") const {
    if (!postgres) return DeliveryQueue::open(std::move(options), QueueKeyring::load(keys, active));
    return DeliveryQueue::open(std::move(options), QueueKeyring::load(keys, active), pg_store(), pg_store());
  }

  /// Another broker's queue on the same PostgreSQL schema, naming itself `claimant`.
  std::unique_ptr<DeliveryQueue> open_as(const std::string& claimant) const {
    return DeliveryQueue::open(options(), QueueKeyring::load(keys, "a"), pg_store(claimant), pg_store(claimant));
  }

  // ---- the rows themselves, for tests that tamper with them (the queue closed) ----

  /// The deliveries table's name on this backend.
  std::string deliveries() const { return postgres ? "queue_deliveries" : "deliveries"; }

  /// Runs statements (separated by semicolons) on the store.
  void run_sql(const std::string& sql) const {
    if (postgres) {
      auto ran = connect().execute_script(sql);
      ASSERT_TRUE(ran.ok()) << ran.error().message;
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(database.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    const int status = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    EXPECT_EQ(status, SQLITE_OK) << (message ? message : "");
    sqlite3_free(message);
    sqlite3_close(db);
  }

  /// Stored deliveries matching `where` (SQL); -1 when the store cannot be read.
  std::int64_t count_deliveries(const std::string& where = "1 = 1") const {
    const std::string sql = "SELECT count(*) FROM " + deliveries() + " WHERE " + where;
    if (postgres) {
      auto rows = connect().query(sql);
      return rows.ok() ? rows->integer(0, 0) : -1;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(database.c_str(), &db) != SQLITE_OK) return -1;
    sqlite3_stmt* statement = nullptr;
    std::int64_t count = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      count = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return count;
  }

  /// A connection of the test's own to the PostgreSQL schema.
  PgConnection connect() const {
    auto connection = PgConnection::connect(*postgres);
    if (!connection) throw std::runtime_error(connection.error().message);
    return std::move(connection).value();
  }

 private:
  std::unique_ptr<QueueStore> pg_store(const std::string& claimant = "broker-a") const {
    auto store = PgQueueStore::open(*postgres, claimant);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(store).value();
  }
};

inline NewEvent event(const std::string& key, const std::string& event_id = "") {
  return NewEvent{"etat-civil", key, event_id.empty() ? "ev-" + key : event_id, "identity.address"};
}

inline NewDelivery delivery(const std::string& subscriber, const std::string& ordering_key,
                            const std::string& payload) {
  return NewDelivery{subscriber, ordering_key, payload};
}

}  // namespace pse::queue::testing

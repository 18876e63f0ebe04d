// Shared by the delivery queue tests: key files, a fake clock, a queue in a temp directory.
#pragma once

#include "broker/queue/delivery_queue.hpp"
#include "support/temp_dir.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <memory>
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

/// A temp dir with keys "a" and "b" on disk and a database path.
struct QueueFixture {
  pse::testing::TempDir dir;
  std::filesystem::path keys = dir / "keys";
  std::filesystem::path database = dir / "queue.db";
  FakeClock clock;

  QueueFixture() {
    write_key_file(dir, "a", random_key_base64() + "\n");
    write_key_file(dir, "b", random_key_base64() + "\n");
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

  std::unique_ptr<DeliveryQueue> open(const std::string& active = "a") const {
    return DeliveryQueue::open(options(), QueueKeyring::load(keys, active));
  }
  std::unique_ptr<DeliveryQueue> open(QueueOptions options, const std::string& active = "a") const {
    return DeliveryQueue::open(std::move(options), QueueKeyring::load(keys, active));
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

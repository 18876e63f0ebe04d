// The time pse-notify schedules by. Injected everywhere, so that tests move time forward
// instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace pse::notify {

using Instant = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

/// A clock the test sets; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : seconds_(start.time_since_epoch().count()) {}
  Instant now() const override { return Instant(std::chrono::seconds(seconds_.load())); }
  void set(Instant when) { seconds_.store(when.time_since_epoch().count()); }
  void advance(std::chrono::seconds by) { seconds_.fetch_add(by.count()); }

 private:
  std::atomic<std::chrono::seconds::rep> seconds_;
};

}  // namespace pse::notify

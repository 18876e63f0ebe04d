// Remembers the outcome of each (consumer, request id) for a window, so that a retry gets the
// same answer without asking the provider again — and without a second audit entry.
//
// A retry that arrives while the first attempt is still running waits for it and gets its
// outcome. The cache is bounded twice: beyond max_entries outcomes, or beyond max_bytes of
// remembered answers (bodies, content types and keys), the oldest outcomes are forgotten
// first. The byte bound matters for large records: 100,000 answers of 1 MiB would be 100 GB;
// bench/RESULTS.md (record size curve) shows the broker's RSS following the answers it keeps.
#pragma once

#include "broker/http_types.hpp"

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pse::broker {

class IdempotencyCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Waiter = std::function<void(const HttpResponse&)>;

  /// Remembered answers take at most this many bytes by default (about 50,000 answers of
  /// 1 KiB, or 64 of 1 MiB).
  static constexpr std::size_t default_max_bytes = 64 * 1024 * 1024;

  IdempotencyCache(std::chrono::seconds window, std::size_t max_entries, std::size_t max_bytes = default_max_bytes);

  enum class Claim { first, answered, waiting };
  /// first: the caller runs the request and must call complete(). answered: `waiter` was
  /// called at once with the remembered outcome. waiting: `waiter` runs when the first
  /// attempt completes.
  Claim claim(const std::string& consumer, const std::string& request_id, Waiter waiter);
  void complete(const std::string& consumer, const std::string& request_id, const HttpResponse& response);

  /// Whether an outcome is remembered: transient refusals (busy, provider down or slow, rate
  /// limited) are not, so that a retry of those is really tried again.
  static bool keeps(const HttpResponse& response) { return response.status < 500 && response.status != 429; }

  /// Outcomes remembered or running, and the bytes the remembered ones take (for tests).
  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct Slot {
    std::optional<HttpResponse> response;
    std::vector<Waiter> waiters;
    Clock::time_point expires;
    std::size_t bytes = 0;  // counted in bytes_ once answered
  };
  void evict(Clock::time_point now);
  void forget(std::unordered_map<std::string, Slot>::iterator it);

  std::chrono::seconds window_;
  std::size_t max_entries_;
  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Slot> slots_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;  // insertion order, for expiry
  std::size_t bytes_ = 0;
};

}  // namespace pse::broker

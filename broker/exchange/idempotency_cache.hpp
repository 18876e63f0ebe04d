// Remembers the outcome of each (consumer, request id) for a window, so that a retry gets the
// same answer without asking the provider again — and without a second audit entry.
//
// A retry that arrives while the first attempt is still running waits for it and gets its
// outcome. The cache is bounded: beyond max_entries the oldest outcomes are forgotten first.
#pragma once

#include "broker/http_types.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pse::broker {

class IdempotencyCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Waiter = std::function<void(const HttpResponse&)>;

  IdempotencyCache(std::chrono::seconds window, std::size_t max_entries);

  enum class Claim { first, answered, waiting };
  /// first: the caller runs the request and must call complete(). answered: `waiter` was
  /// called at once with the remembered outcome. waiting: `waiter` runs when the first
  /// attempt completes.
  Claim claim(const std::string& consumer, const std::string& request_id, Waiter waiter);
  void complete(const std::string& consumer, const std::string& request_id, const HttpResponse& response);

 private:
  struct Slot {
    std::optional<HttpResponse> response;
    std::vector<Waiter> waiters;
    Clock::time_point expires;
  };
  void evict(Clock::time_point now);

  std::chrono::seconds window_;
  std::size_t max_entries_;
  std::mutex mutex_;
  std::map<std::string, Slot> slots_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;  // insertion order, for expiry
};

}  // namespace pse::broker

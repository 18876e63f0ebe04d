// Per-consumer, per-rule rate limits (the rule's `rate_limit: {requests, per}`), as token
// buckets: a consumer may burst up to `requests`, refilled evenly over `per`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pse::broker {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// Takes one token from the bucket of (consumer, rule); false when it is empty.
  bool allow(std::string_view consumer, std::string_view rule_id, std::uint32_t requests,
             std::chrono::seconds period, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace pse::broker

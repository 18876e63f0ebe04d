// Token buckets keyed by name: per-consumer, per-rule rate limits (the rule's `rate_limit:
// {requests, per}`: a consumer may burst up to `requests`, refilled evenly over `per`), and the
// per-organisation limits of admission/org_admission.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pse::broker {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// Takes one token from the bucket of (consumer, rule); false when it is empty.
  bool allow(std::string_view consumer, std::string_view rule_id, std::uint32_t requests,
             std::chrono::seconds period, Clock::time_point now = Clock::now());

  /// Takes one token from the bucket `key`, which holds up to `burst` tokens and gains
  /// `per_second`. nullopt when taken; otherwise how long until a token will be there.
  std::optional<Clock::duration> take(std::string_view key, double burst, double per_second,
                                      Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace pse::broker

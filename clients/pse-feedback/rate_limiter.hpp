// Per-address rate limiting of form posts: a token bucket per client address, refilled
// continuously. Bounded memory: past `max_addresses`, full buckets are forgotten first, and if
// that is not enough the table is cleared (a burst of fresh addresses then only resets limits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pse::feedback {

class RateLimiter {
 public:
  /// At most `burst` requests at once, refilled at `burst` per `window_ms`.
  RateLimiter(int burst, std::int64_t window_ms, std::size_t max_addresses = 100000);

  /// True when the request from `address` at `now_ms` (a monotonic clock) may proceed.
  bool allow(std::string_view address, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens;
    std::int64_t updated_ms;
  };
  double refill(Bucket& bucket, std::int64_t now_ms) const;

  int burst_;
  std::int64_t window_ms_;
  std::size_t max_addresses_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace pse::feedback

#include "rate_limiter.hpp"

#include <algorithm>
#include <iterator>

namespace pse::feedback {

RateLimiter::RateLimiter(int burst, std::int64_t window_ms, std::size_t max_addresses)
    : burst_(burst), window_ms_(std::max<std::int64_t>(window_ms, 1)), max_addresses_(max_addresses) {}

double RateLimiter::refill(Bucket& bucket, std::int64_t now_ms) const {
  const auto elapsed = static_cast<double>(std::max<std::int64_t>(now_ms - bucket.updated_ms, 0));
  bucket.tokens = std::min(static_cast<double>(burst_),
                           bucket.tokens + elapsed * static_cast<double>(burst_) / static_cast<double>(window_ms_));
  bucket.updated_ms = now_ms;
  return bucket.tokens;
}

bool RateLimiter::allow(std::string_view address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(address));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_addresses_) {
      for (auto old = buckets_.begin(); old != buckets_.end();) {
        old = refill(old->second, now_ms) >= static_cast<double>(burst_) ? buckets_.erase(old) : std::next(old);
      }
      if (buckets_.size() >= max_addresses_) buckets_.clear();
    }
    it = buckets_.emplace(std::string(address), Bucket{static_cast<double>(burst_), now_ms}).first;
  }
  if (refill(it->second, now_ms) < 1.0) return false;
  it->second.tokens -= 1.0;
  return true;
}

}  // namespace pse::feedback

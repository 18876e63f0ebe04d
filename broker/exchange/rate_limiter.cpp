#include "broker/exchange/rate_limiter.hpp"

#include <algorithm>

namespace pse::broker {

bool RateLimiter::allow(std::string_view consumer, std::string_view rule_id, std::uint32_t requests,
                        std::chrono::seconds period, Clock::time_point now) {
  if (requests == 0 || period.count() <= 0) return true;
  std::string key;
  key.reserve(consumer.size() + rule_id.size() + 1);
  key.append(consumer).append("\n").append(rule_id);
  const double capacity = requests;
  return !take(key, capacity, capacity / static_cast<double>(period.count()), now);
}

std::optional<RateLimiter::Clock::duration> RateLimiter::take(std::string_view key, double burst, double per_second,
                                                              Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(key), Bucket{burst, now}).first;
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst, bucket.tokens + elapsed * per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = per_second > 0 ? (1.0 - bucket.tokens) / per_second : 3600.0;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
}

}  // namespace pse::broker

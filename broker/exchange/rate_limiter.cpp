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
  const double per_second = capacity / static_cast<double>(period.count());

  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(std::move(key), Bucket{capacity, now});
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(capacity, bucket.tokens + elapsed * per_second);
  bucket.updated = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace pse::broker

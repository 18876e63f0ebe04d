#include "rate_limiter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace pse::web {

std::string rate_limit_client(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return text;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::memcpy(&v4, &v6.s6_addr[12], sizeof v4);
    return inet_ntop(AF_INET, &v4, out.data(), out.size());
  }
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
  return std::string(inet_ntop(AF_INET6, &v6, out.data(), out.size())) + "/64";
}

RateLimiter::RateLimiter(int burst, std::int64_t window_ms, std::size_t max_clients)
    : burst_(burst), window_ms_(std::max<std::int64_t>(window_ms, 1)), max_clients_(std::max<std::size_t>(max_clients, 1)) {}

double RateLimiter::refill(Bucket& bucket, std::int64_t now_ms) const {
  const auto elapsed = static_cast<double>(std::max<std::int64_t>(now_ms - bucket.updated_ms, 0));
  bucket.tokens = std::min(static_cast<double>(burst_),
                           bucket.tokens + elapsed * static_cast<double>(burst_) / static_cast<double>(window_ms_));
  bucket.updated_ms = now_ms;
  return bucket.tokens;
}

bool RateLimiter::allow(std::string_view address, std::int64_t now_ms) {
  std::string client = rate_limit_client(address);
  std::lock_guard lock(mutex_);
  auto found = buckets_.find(client);
  if (found != buckets_.end()) {
    recent_.splice(recent_.begin(), recent_, found->second);
  } else {
    if (buckets_.size() >= max_clients_) {
      buckets_.erase(recent_.back().client);
      recent_.pop_back();
    }
    recent_.push_front(Bucket{std::move(client), static_cast<double>(burst_), now_ms});
    buckets_.emplace(recent_.front().client, recent_.begin());
  }
  Bucket& bucket = recent_.front();
  if (refill(bucket, now_ms) < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

std::size_t RateLimiter::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace pse::web

#include "broker/exchange/idempotency_cache.hpp"

namespace pse::broker {
namespace {

std::string key_of(const std::string& consumer, const std::string& request_id) {
  std::string key;
  key.reserve(consumer.size() + 1 + request_id.size());
  key += consumer;
  key += '\n';
  key += request_id;
  return key;
}

// What one remembered answer costs, roughly: its strings, its key (in the table and in the
// expiry order) and the bookkeeping around them.
std::size_t cost_of(const std::string& key, const HttpResponse& response) {
  return response.body.size() + response.content_type.size() + 2 * key.size() + 160;
}

}  // namespace

IdempotencyCache::IdempotencyCache(std::chrono::seconds window, std::size_t max_entries, std::size_t max_bytes)
    : window_(window), max_entries_(max_entries), max_bytes_(max_bytes) {}

void IdempotencyCache::forget(std::unordered_map<std::string, Slot>::iterator it) {
  bytes_ -= it->second.bytes;
  slots_.erase(it);
}

void IdempotencyCache::evict(Clock::time_point now) {
  while (!order_.empty() &&
         (order_.front().first <= now || slots_.size() > max_entries_ || bytes_ > max_bytes_)) {
    auto it = slots_.find(order_.front().second);
    // Never forget an attempt still running: its waiters need the answer.
    if (it != slots_.end() && !it->second.response) break;
    if (it != slots_.end()) forget(it);
    order_.pop_front();
  }
}

IdempotencyCache::Claim IdempotencyCache::claim(const std::string& consumer, const std::string& request_id,
                                                Waiter waiter) {
  std::optional<HttpResponse> remembered;
  {
    std::string key = key_of(consumer, request_id);
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    evict(now);
    auto it = slots_.find(key);
    if (it == slots_.end()) {
      const auto expires = now + window_;
      order_.emplace_back(expires, key);
      slots_.emplace(std::move(key), Slot{std::nullopt, {}, expires, 0});
      return Claim::first;
    }
    if (!it->second.response) {
      it->second.waiters.push_back(std::move(waiter));
      return Claim::waiting;
    }
    remembered = it->second.response;
  }
  waiter(*remembered);
  return Claim::answered;
}

void IdempotencyCache::complete(const std::string& consumer, const std::string& request_id,
                                const HttpResponse& response) {
  std::vector<Waiter> waiters;
  {
    const std::string key = key_of(consumer, request_id);
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end()) return;
    waiters.swap(it->second.waiters);
    if (keeps(response)) {
      it->second.response = response;
      it->second.bytes = cost_of(key, response);
      bytes_ += it->second.bytes;
      if (bytes_ > max_bytes_) evict(Clock::now());
    } else {
      forget(it);
    }
  }
  for (auto& waiter : waiters) waiter(response);
}

std::size_t IdempotencyCache::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

std::size_t IdempotencyCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace pse::broker

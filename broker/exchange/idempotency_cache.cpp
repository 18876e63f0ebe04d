#include "broker/exchange/idempotency_cache.hpp"

namespace pse::broker {
namespace {

std::string key_of(const std::string& consumer, const std::string& request_id) { return consumer + "\n" + request_id; }

}  // namespace

IdempotencyCache::IdempotencyCache(std::chrono::seconds window, std::size_t max_entries)
    : window_(window), max_entries_(max_entries) {}

void IdempotencyCache::evict(Clock::time_point now) {
  while (!order_.empty() && (order_.front().first <= now || slots_.size() > max_entries_)) {
    auto it = slots_.find(order_.front().second);
    // Never forget an attempt still running: its waiters need the answer.
    if (it != slots_.end() && !it->second.response) break;
    if (it != slots_.end()) slots_.erase(it);
    order_.pop_front();
  }
}

IdempotencyCache::Claim IdempotencyCache::claim(const std::string& consumer, const std::string& request_id,
                                                Waiter waiter) {
  std::optional<HttpResponse> remembered;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    evict(now);
    const std::string key = key_of(consumer, request_id);
    auto [it, inserted] = slots_.try_emplace(key);
    if (inserted) {
      it->second.expires = now + window_;
      order_.emplace_back(it->second.expires, key);
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
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key_of(consumer, request_id));
    if (it == slots_.end()) return;
    waiters.swap(it->second.waiters);
    // Transient refusals (busy, provider down or slow, rate limited) are not remembered: a
    // retry of those must really be tried again.
    const bool final_outcome = response.status < 500 && response.status != 429;
    if (final_outcome) {
      it->second.response = response;
    } else {
      slots_.erase(it);
    }
  }
  for (auto& waiter : waiters) waiter(response);
}

}  // namespace pse::broker

#include "rate_limiter.hpp"

#include "quebec_time.hpp"

namespace pse::notify {

RateLimiter::RateLimiter(BodyLimits defaults, std::map<std::string, BodyLimits> per_body,
                         std::function<std::int64_t(const std::string&, Instant)> already_today)
    : defaults_(defaults), per_body_(std::move(per_body)), already_today_(std::move(already_today)) {}

std::string RateLimiter::admit(const std::string& body, Instant now) {
  using namespace std::chrono;
  std::lock_guard lock(mutex_);
  auto found = per_body_.find(body);
  const BodyLimits limits = found == per_body_.end() ? defaults_ : found->second;
  Window& w = windows_[body];
  const std::int64_t minute = duration_cast<minutes>(now.time_since_epoch()).count();
  const local_days local_day = floor<days>(to_quebec_time(now));
  const std::int64_t day = local_day.time_since_epoch().count();
  if (w.day != day) {
    w.day = day;
    w.in_day = already_today_ ? already_today_(body, from_quebec_time(local_day)) : 0;
  }
  if (w.minute != minute) {
    w.minute = minute;
    w.in_minute = 0;
  }
  if (w.in_day >= limits.per_day) return "daily_limit_exceeded";
  if (w.in_minute >= limits.per_minute) return "rate_limited";
  ++w.in_minute;
  ++w.in_day;
  return {};
}

}  // namespace pse::notify

// Per-body limits on notices (GOV.UK Notify: 3,000 a minute per key, and a daily cap). A
// notice over a limit is refused with a status the body receives (rate_limited,
// daily_limit_exceeded) — never dropped silently. The day is Québec's civil day.
#pragma once

#include "clock.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace pse::notify {

struct BodyLimits {
  std::int64_t per_minute = 3000;
  std::int64_t per_day = 250000;
};

class RateLimiter {
 public:
  /// `already_today(body, midnight)` tells how many notices were accepted today before a restart.
  RateLimiter(BodyLimits defaults, std::map<std::string, BodyLimits> per_body,
              std::function<std::int64_t(const std::string&, Instant)> already_today);

  /// Empty when the notice may go ahead (and counts it); otherwise the refusal's reason.
  std::string admit(const std::string& body, Instant now);

 private:
  struct Window {
    std::int64_t minute = -1;
    std::int64_t in_minute = 0;
    std::int64_t day = -1;
    std::int64_t in_day = 0;
  };
  BodyLimits defaults_;
  std::map<std::string, BodyLimits> per_body_;
  std::function<std::int64_t(const std::string&, Instant)> already_today_;
  std::mutex mutex_;
  std::map<std::string, Window> windows_;
};

}  // namespace pse::notify

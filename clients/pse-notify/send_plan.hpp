// When the reminders of one notice go out: at the configured hour of the day, some days
// before the due date, and never inside the citizen's quiet hours (moved to their end).
#pragma once

#include "clock.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace pse::notify {

/// Local (Québec) minutes after midnight; start > end wraps midnight (22:00–08:00).
struct QuietHours {
  int start_minutes = 0;
  int end_minutes = 0;
};

/// `at`, or the end of the quiet hours it falls in.
Instant outside_quiet_hours(Instant at, const std::optional<QuietHours>& quiet);

struct PlannedSend {
  int offset_days = 0;
  Instant at;
};

/// One send per offset still ahead of `now`. Offsets already past collapse into one send now
/// (quiet hours permitting) when no later reminder remains and the due date has not passed.
/// Empty when the due date is before today (Québec time).
std::vector<PlannedSend> plan_reminders(std::chrono::year_month_day due_date, std::vector<int> offsets_days,
                                        int send_minutes, Instant now, const std::optional<QuietHours>& quiet);

}  // namespace pse::notify

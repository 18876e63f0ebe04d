#include "send_plan.hpp"

#include "quebec_time.hpp"

#include <algorithm>

namespace pse::notify {

using namespace std::chrono;

Instant outside_quiet_hours(Instant at, const std::optional<QuietHours>& quiet) {
  if (!quiet || quiet->start_minutes == quiet->end_minutes) return at;
  const LocalTime local = to_quebec_time(at);
  const local_days day = floor<days>(local);
  const auto minute = static_cast<int>(duration_cast<minutes>(local - day).count());
  const int start = quiet->start_minutes, end = quiet->end_minutes;
  std::optional<LocalTime> moved;
  if (start < end) {
    if (minute >= start && minute < end) moved = day + minutes(end);
  } else if (minute >= start) {
    moved = day + days(1) + minutes(end);
  } else if (minute < end) {
    moved = day + minutes(end);
  }
  return moved ? from_quebec_time(*moved) : at;
}

std::vector<PlannedSend> plan_reminders(year_month_day due_date, std::vector<int> offsets_days, int send_minutes,
                                        Instant now, const std::optional<QuietHours>& quiet) {
  std::vector<PlannedSend> plan;
  const local_days due(due_date);
  const local_days today = floor<days>(to_quebec_time(now));
  if (due < today) return plan;
  std::sort(offsets_days.begin(), offsets_days.end(), std::greater<>());
  offsets_days.erase(std::unique(offsets_days.begin(), offsets_days.end()), offsets_days.end());
  std::optional<int> missed;
  for (int offset : offsets_days) {
    const Instant at = outside_quiet_hours(from_quebec_time(due - days(offset) + minutes(send_minutes)), quiet);
    if (at < now) {
      missed = offset;  // the smallest past offset, since they are sorted downwards
    } else {
      plan.push_back({offset, at});
    }
  }
  if (plan.empty() && missed) plan.push_back({*missed, outside_quiet_hours(now, quiet)});
  return plan;
}

}  // namespace pse::notify

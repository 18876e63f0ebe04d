// Civil time in Québec (America/Toronto: UTC−5, UTC−4 in summer), the time citizens' quiet
// hours and the hour of sending are expressed in.
//
// GCC 12's library has the C++20 calendar but not the time-zone database, so the rule is
// written here: daylight time from the second Sunday of March at 02:00 to the first Sunday
// of November at 02:00 (the rule in force since 2007, Loi sur le temps légal).
#pragma once

#include "clock.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace pse::notify {

using LocalTime = std::chrono::local_seconds;

LocalTime to_quebec_time(Instant instant);
/// The instant a Québec civil time names. A time skipped in spring counts as daylight time
/// an hour later; a repeated autumn time is taken in daylight time (the earlier instant).
Instant from_quebec_time(LocalTime local);

/// "YYYY-MM-DD" → that day, or nullopt.
std::optional<std::chrono::year_month_day> parse_date(const std::string& text);
/// "HH:MM" → minutes after midnight, or nullopt.
std::optional<int> parse_minutes(const std::string& text);
/// "YYYY-MM-DDTHH:MM:SSZ"
std::string format_utc(Instant instant);
/// The Québec day an instant falls on.
std::chrono::year_month_day quebec_day(Instant instant);
/// "YYYY-MM-DD HH:MM", Québec time: how a citizen's message gives a time.
std::string format_quebec_minutes(Instant instant);
/// "YYYY-MM-DD"
std::string format_date(std::chrono::year_month_day date);

}  // namespace pse::notify

#include "quebec_time.hpp"

#include <cstdio>

namespace pse::notify {
namespace {

using namespace std::chrono;

local_days nth_sunday(year y, month m, unsigned n) {
  return local_days(year_month_weekday(y, m, weekday_indexed(Sunday, n)));
}

// Daylight time is in force at this local (standard-time-free) wall clock time.
bool is_daylight_local(LocalTime local) {
  const year y = year_month_day(floor<days>(local)).year();
  const LocalTime start = nth_sunday(y, March, 2) + hours(2);
  const LocalTime end = nth_sunday(y, November, 1) + hours(2);
  return local >= start && local < end;
}

}  // namespace

LocalTime to_quebec_time(Instant instant) {
  const LocalTime standard = LocalTime(instant.time_since_epoch()) - hours(5);
  // In daylight time the wall clock shows standard time plus one hour; the switch instants,
  // read on the standard clock, are 02:00 in March and 01:00 in November.
  const year y = year_month_day(floor<days>(standard)).year();
  const LocalTime start = nth_sunday(y, March, 2) + hours(2);
  const LocalTime end = nth_sunday(y, November, 1) + hours(1);
  return standard >= start && standard < end ? standard + hours(1) : standard;
}

Instant from_quebec_time(LocalTime local) {
  if (is_daylight_local(local)) return Instant(local.time_since_epoch() + hours(4));
  // The spring gap (02:00–03:00 does not exist) read as standard time lands an hour later.
  return Instant(local.time_since_epoch() + hours(5));
}

std::optional<year_month_day> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  const year_month_day date{year(y), month(m), day(d)};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<int> parse_minutes(const std::string& text) {
  int h = 0, m = 0;
  char tail = 0;
  if (text.size() != 5 || text[2] != ':' || std::sscanf(text.c_str(), "%2d:%2d%c", &h, &m, &tail) != 2) return std::nullopt;
  if (h < 0 || h > 23 || m < 0 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string format_utc(Instant instant) {
  const auto day = floor<days>(instant);
  const year_month_day date(day);
  const hh_mm_ss<seconds> time(instant - day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buffer;
}

year_month_day quebec_day(Instant instant) { return year_month_day(floor<days>(to_quebec_time(instant))); }

std::string format_date(year_month_day date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::string format_quebec_minutes(Instant instant) {
  const LocalTime local = to_quebec_time(instant);
  const auto day = floor<days>(local);
  const hh_mm_ss<seconds> time(local - day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, " %02d:%02d", static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()));
  return format_date(year_month_day(day)) + buffer;
}

}  // namespace pse::notify

#include "base/utc_time.hpp"

#include <cstdio>

namespace pse {
namespace {

// Reads exactly `width` digits at `position`; false when any is not a digit.
bool read_digits(std::string_view text, std::size_t position, std::size_t width, int& out) {
  if (position + width > text.size()) return false;
  out = 0;
  for (std::size_t i = position; i < position + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string format_utc(UtcMicros time, SubSecond digits) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char text[48];
  int size = std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                           static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                           static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                           static_cast<int>(clock.seconds().count()));
  const auto micros = static_cast<int>(clock.subseconds().count());
  if (digits == SubSecond::millis) size += std::snprintf(text + size, sizeof text - static_cast<std::size_t>(size), ".%03d", micros / 1000);
  if (digits == SubSecond::micros) size += std::snprintf(text + size, sizeof text - static_cast<std::size_t>(size), ".%06d", micros);
  return std::string(text, static_cast<std::size_t>(size)) + "Z";
}

std::string format_utc_date(UtcMicros time) { return format_utc(time).substr(0, 10); }

std::optional<ParsedUtc> parse_utc(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, mo) || !read_digits(text, 8, 2, d)) return std::nullopt;
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  ParsedUtc parsed{UtcMicros{sys_days{date}}, text.size() == 10};
  if (parsed.date_only) return parsed;

  int h = 0, mi = 0, s = 0;
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  if (!read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) || !read_digits(text, 17, 2, s) || h > 23 ||
      mi > 59 || s > 59) {
    return std::nullopt;
  }
  int micros = 0;
  std::string_view fraction = text.substr(19, text.size() - 20);
  if (!fraction.empty()) {
    if (fraction.front() != '.' || fraction.size() < 2 || fraction.size() > 7) return std::nullopt;
    fraction.remove_prefix(1);
    if (!read_digits(fraction, 0, fraction.size(), micros)) return std::nullopt;
    for (std::size_t i = fraction.size(); i < 6; ++i) micros *= 10;
  }
  parsed.time += hours(h) + minutes(mi) + seconds(s) + microseconds(micros);
  return parsed;
}

}  // namespace pse

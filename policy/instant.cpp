#include "policy/instant.hpp"

#include <charconv>
#include <cstdio>

namespace pse::policy {
namespace {

// Reads exactly `width` digits at `position`; false when any is not a digit.
bool read_digits(std::string_view text, std::size_t position, std::size_t width, int& out) {
  if (position + width > text.size()) return false;
  const char* begin = text.data() + position;
  for (std::size_t i = 0; i < width; ++i) {
    if (begin[i] < '0' || begin[i] > '9') return false;
  }
  auto [end, error] = std::from_chars(begin, begin + width, out);
  return error == std::errc() && end == begin + width;
}

}  // namespace

std::optional<ParsedInstant> parse_instant(std::string_view text) {
  using namespace std::chrono;
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
      !read_digits(text, 8, 2, day)) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  const Instant midnight{sys_days{date}};
  if (text.size() == 10) return ParsedInstant{midnight, true};

  int hour = 0, minute = 0, second = 0;
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  if (!read_digits(text, 11, 2, hour) || !read_digits(text, 14, 2, minute) ||
      !read_digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  return ParsedInstant{midnight + hours{hour} + minutes{minute} + seconds{second}, false};
}

std::string format_instant(Instant instant) {
  using namespace std::chrono;
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss time{instant - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

}  // namespace pse::policy

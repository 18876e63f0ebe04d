#include "policy/instant.hpp"

#include "base/utc_time.hpp"

namespace pse::policy {

std::optional<ParsedInstant> parse_instant(std::string_view text) {
  // Policies name whole seconds: a date or `YYYY-MM-DDTHH:MM:SSZ`, never a fraction.
  if (text.size() != 10 && text.size() != 20) return std::nullopt;
  const auto parsed = parse_utc(text);
  if (!parsed) return std::nullopt;
  return ParsedInstant{std::chrono::time_point_cast<std::chrono::seconds>(parsed->time), parsed->date_only};
}

std::string format_instant(Instant instant) { return format_utc(instant); }

}  // namespace pse::policy

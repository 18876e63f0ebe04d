// Time as the platform writes it: RFC 3339 in UTC, always with `Z` (audit entries, tree heads,
// receipts, policies, logs). Local-time offsets are refused rather than guessed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pse {

using UtcMicros = std::chrono::sys_time<std::chrono::microseconds>;

/// Digits after the seconds: none (`…:SSZ`), milliseconds (`…:SS.fffZ`), microseconds (`…:SS.ffffffZ`).
enum class SubSecond { none, millis, micros };

/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z`; a sub-second part is truncated, never rounded up.
std::string format_utc(UtcMicros time, SubSecond digits = SubSecond::none);
/// `YYYY-MM-DD`.
std::string format_utc_date(UtcMicros time);

struct ParsedUtc {
  UtcMicros time;
  bool date_only = false;  ///< `YYYY-MM-DD`: 00:00:00 UTC that day
};

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z`; std::nullopt for anything else,
/// including impossible dates such as 2025-02-30 and offsets other than `Z`.
std::optional<ParsedUtc> parse_utc(std::string_view text);

}  // namespace pse

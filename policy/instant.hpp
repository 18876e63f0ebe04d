// Points in time as policy files write them, and as decisions receive them.
//
// The engine never reads the clock: the caller passes the time of each decision, so that a
// decision is reproducible (tests, `pse-policy explain --at`, audit replays). Policy files name
// instants in UTC, either as a date (`2025-04-01`) or as an RFC 3339 timestamp ending in `Z`
// (`2025-04-01T08:30:00Z`); local-time offsets are refused rather than guessed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pse::policy {

using Instant = std::chrono::sys_seconds;

struct ParsedInstant {
  Instant instant;
  bool date_only = false;  ///< true for `YYYY-MM-DD`: the instant is 00:00:00 UTC that day
};

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`; std::nullopt for anything else, including
/// impossible dates such as 2025-02-30.
std::optional<ParsedInstant> parse_instant(std::string_view text);

/// `YYYY-MM-DDTHH:MM:SSZ`.
std::string format_instant(Instant instant);

}  // namespace pse::policy

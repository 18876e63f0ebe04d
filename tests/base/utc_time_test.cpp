// RFC 3339 in UTC, as every part of the platform writes and reads it.
#include "base/utc_time.hpp"

#include <gtest/gtest.h>

namespace pse {
namespace {

using namespace std::chrono;

TEST(UtcTime, FormatsWithTheDigitsAsked) {
  const UtcMicros at = sys_days{2026y / 11 / 22} + 19h + 30min + 5s + 123456us;
  EXPECT_EQ(format_utc(at), "2026-11-22T19:30:05Z");
  EXPECT_EQ(format_utc(at, SubSecond::millis), "2026-11-22T19:30:05.123Z");
  EXPECT_EQ(format_utc(at, SubSecond::micros), "2026-11-22T19:30:05.123456Z");
  EXPECT_EQ(format_utc_date(at), "2026-11-22");
  EXPECT_EQ(format_utc(UtcMicros{}), "1970-01-01T00:00:00Z");
}

TEST(UtcTime, ReadsDatesTimesAndFractions) {
  auto date = parse_utc("2024-02-29");
  ASSERT_TRUE(date);
  EXPECT_TRUE(date->date_only);
  EXPECT_EQ(date->time, UtcMicros{sys_days{2024y / 2 / 29}});

  auto time = parse_utc("2026-11-22T19:30:05.12Z");
  ASSERT_TRUE(time);
  EXPECT_FALSE(time->date_only);
  EXPECT_EQ(time->time, sys_days{2026y / 11 / 22} + 19h + 30min + 5s + 120000us);

  const UtcMicros at = sys_days{2031y / 1 / 1} + 7us;
  EXPECT_EQ(parse_utc(format_utc(at, SubSecond::micros))->time, at);
}

TEST(UtcTime, RefusesWhatIsNotAnInstantInUtc) {
  for (const char* text : {"", "2025-02-30", "2025-13-01", "2025-1-01", "2025-04-01T08:30:00",
                           "2025-04-01T08:30:00+02:00", "2025-04-01T24:00:00Z", "2025-04-01T08:60:00Z",
                           "2025-04-01T08:30:00.Z", "2025-04-01T08:30:00.1234567Z", "2025-04-01T08:30:00.1a3Z",
                           "2025-04-01 08:30:00Z", "+025-04-01", "2025-04-01T08:30Z"}) {
    EXPECT_FALSE(parse_utc(text)) << text;
  }
}

}  // namespace
}  // namespace pse

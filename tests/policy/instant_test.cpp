#include "policy/instant.hpp"

#include <gtest/gtest.h>

namespace pse::policy {
namespace {

TEST(Instant, ParsesDatesAndUtcTimestamps) {
  auto date = parse_instant("2025-03-01");
  ASSERT_TRUE(date);
  EXPECT_TRUE(date->date_only);
  EXPECT_EQ(format_instant(date->instant), "2025-03-01T00:00:00Z");
  auto time = parse_instant("2024-02-29T23:59:59Z");
  ASSERT_TRUE(time);
  EXPECT_FALSE(time->date_only);
  EXPECT_EQ(format_instant(time->instant), "2024-02-29T23:59:59Z");
  EXPECT_EQ(time->instant - parse_instant("2024-02-29")->instant, std::chrono::seconds(86399));
}

TEST(Instant, RefusesAnythingElse) {
  for (const char* text : {"", "2025", "2025-3-01", "2025-02-30", "2023-02-29", "2025-13-01", "2025-01-01T24:00:00Z",
                           "2025-01-01T10:00:00", "2025-01-01T10:00:00+02:00", "2025-01-01 10:00:00Z",
                           "+025-01-01", "2025-01-01T10:60:00Z", "tomorrow"}) {
    EXPECT_FALSE(parse_instant(text)) << text;
  }
}

}  // namespace
}  // namespace pse::policy

#include <pse/reason.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pse {
namespace {

constexpr int kReasonCount = static_cast<int>(Reason::audit_unavailable) + 1;

TEST(Reason, EveryCodeRoundTripsAndIsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < kReasonCount; ++i) {
    const auto reason = static_cast<Reason>(i);
    const std::string code(to_string(reason));
    EXPECT_TRUE(seen.insert(code).second) << "duplicate code " << code;
    ASSERT_EQ(reason_from_string(code), reason) << code;
    EXPECT_FALSE(describe(reason).empty()) << code;
    for (char c : code) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << code;
  }
}

TEST(Reason, StatusesFollowTheContract) {
  EXPECT_EQ(http_status(Reason::malformed_request), 400);
  EXPECT_EQ(http_status(Reason::no_rule), 403);
  EXPECT_EQ(http_status(Reason::not_found), 404);
  EXPECT_EQ(http_status(Reason::payload_too_large), 413);
  EXPECT_EQ(http_status(Reason::rate_limited), 429);
  EXPECT_EQ(http_status(Reason::provider_unavailable), 503);
  EXPECT_EQ(http_status(Reason::provider_timeout), 504);
  EXPECT_EQ(http_status(Reason::audit_unavailable), 503);
}

TEST(Reason, UnknownCodeIsNotParsed) {
  EXPECT_EQ(reason_from_string("no_such_reason"), std::nullopt);
  EXPECT_EQ(reason_from_string(""), std::nullopt);
}

}  // namespace
}  // namespace pse

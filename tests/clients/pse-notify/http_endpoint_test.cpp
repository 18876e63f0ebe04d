// The loopback endpoint's helpers: query parameters, and the delivery-report token check.
#include "http_endpoint.hpp"

#include <gtest/gtest.h>

namespace pse::notify {
namespace {

TEST(NotifyHttp, QueryParametersArePercentDecoded) {
  EXPECT_EQ(query_parameter("/kannel/dlr?token=ab%2Fc&send=12&type=1", "token"), "ab/c");
  EXPECT_EQ(query_parameter("/kannel/dlr?token=ab&send=12", "send"), "12");
  EXPECT_EQ(query_parameter("/kannel/dlr?send=12", "token"), "");
  EXPECT_EQ(query_parameter("/kannel/dlr", "token"), "");
}

TEST(NotifyHttp, ATokenMatchesOnlyWhenEqualInFull) {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  EXPECT_TRUE(secret_matches(secret, secret));
  EXPECT_FALSE(secret_matches("", secret));
  EXPECT_FALSE(secret_matches(secret.substr(0, 31), secret)) << "a prefix";
  EXPECT_FALSE(secret_matches(secret + "0", secret)) << "longer";
  EXPECT_FALSE(secret_matches("0123456789abcdef0123456789abcdeF", secret)) << "the last character";
  EXPECT_FALSE(secret_matches("1123456789abcdef0123456789abcdef", secret)) << "the first character";
  EXPECT_FALSE(secret_matches(std::string("0123456789abcdef\0" "123456789abcdef", 32), secret)) << "a NUL inside";
  EXPECT_FALSE(secret_matches("", "")) << "an empty secret matches nothing";
}

}  // namespace
}  // namespace pse::notify

// The form's rate limiter on its own: who counts as one client, and a bounded table that
// forgets the least recently seen client instead of everyone.
#include "rate_limiter.hpp"

#include <gtest/gtest.h>

namespace pse::web {
namespace {

TEST(web_RateLimiter, AClientIsAnIPv4AddressOrAnIPv6Slash64) {
  EXPECT_EQ(rate_limit_client("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(rate_limit_client("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(rate_limit_client("2001:db8:1:2:a:b:c:d"), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_limit_client("2001:DB8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_limit_client("fe80::1"), "fe80::/64");
  EXPECT_EQ(rate_limit_client("::1"), "::/64");
  EXPECT_EQ(rate_limit_client("not an address"), "not an address");
}

TEST(web_RateLimiter, AFullTableForgetsTheLeastRecentClientNotEveryone) {
  RateLimiter limiter(/*burst=*/2, /*window_ms=*/60'000, /*max_clients=*/3);
  EXPECT_TRUE(limiter.allow("192.0.2.10", 0));
  EXPECT_TRUE(limiter.allow("192.0.2.11", 0));
  // A client spends its whole budget.
  EXPECT_TRUE(limiter.allow("192.0.2.1", 1));
  EXPECT_TRUE(limiter.allow("192.0.2.1", 1));
  EXPECT_FALSE(limiter.allow("192.0.2.1", 1));
  // The table is full when a new client comes: the oldest one goes, the limited one stays limited.
  EXPECT_TRUE(limiter.allow("192.0.2.99", 2));
  EXPECT_FALSE(limiter.allow("192.0.2.1", 3));
  EXPECT_EQ(limiter.clients(), 3U);
}

TEST(web_RateLimiter, AFloodOfFreshAddressesKeepsTheTableBounded) {
  RateLimiter limiter(/*burst=*/1, /*window_ms=*/60'000, /*max_clients=*/100);
  EXPECT_TRUE(limiter.allow("198.51.100.7", 0));
  EXPECT_FALSE(limiter.allow("198.51.100.7", 0));
  for (int i = 0; i < 10'000; ++i) {
    // Each /64 is a fresh client; the limited one is kept seen, as an active client would be.
    EXPECT_TRUE(limiter.allow("2001:db8:1:" + std::to_string(i) + "::1", 1));
    if (i % 50 == 0) {
      EXPECT_FALSE(limiter.allow("198.51.100.7", 1)) << i;
    }
  }
  EXPECT_EQ(limiter.clients(), 100U);
}

}  // namespace
}  // namespace pse::web

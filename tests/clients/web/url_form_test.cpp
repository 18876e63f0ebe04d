// Form bodies and query values: strict decoding, and encoding that round-trips.
#include "url_form.hpp"

#include <gtest/gtest.h>

namespace pse::web {
namespace {

TEST(web_UrlForm, ParsesKnownNamesOnce) {
  auto fields = parse_form("a=1&b=caf%C3%A9+cr%C3%A8me&c=", {"a", "b", "c"});
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->at("b"), "café crème");
  EXPECT_EQ(fields->at("c"), "");
  EXPECT_FALSE(parse_form("a=%4", {"a"}));       // a cut escape
  EXPECT_FALSE(parse_form("a=%zz", {"a"}));      // not hex
  EXPECT_FALSE(parse_form("a=%00", {"a"}));      // a NUL is not clean text
  EXPECT_FALSE(parse_form("a=1&a=2", {"a"}));    // repeated
  EXPECT_FALSE(parse_form("a=1&evil=2", {"a"}));  // unknown
  EXPECT_FALSE(parse_form("a=%C3", {"a"}));      // a cut UTF-8 sequence
}

TEST(web_UrlForm, EncodesAllButUnreservedAndRoundTrips) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b&c=d/é?#+"), "a%20b%26c%3Dd%2F%C3%A9%3F%23%2B");
  const std::string text = "QC-1957-0042 é&=+%/";
  EXPECT_EQ(percent_decode(percent_encode(text)), text);
}

}  // namespace
}  // namespace pse::web

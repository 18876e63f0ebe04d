// base/base64: RFC 4648's test vectors in both alphabets, and what is refused.
#include "base/base64.hpp"

#include <gtest/gtest.h>

namespace pse {
namespace {

TEST(Base64, Rfc4648VectorsInTheStandardAlphabetArePadded) {
  EXPECT_EQ(to_base64("", Base64::standard), "");
  EXPECT_EQ(to_base64("f", Base64::standard), "Zg==");
  EXPECT_EQ(to_base64("fo", Base64::standard), "Zm8=");
  EXPECT_EQ(to_base64("foo", Base64::standard), "Zm9v");
  EXPECT_EQ(to_base64("foobar", Base64::standard), "Zm9vYmFy");
  EXPECT_EQ(from_base64("Zm9vYg==", Base64::standard), "foob");
}

TEST(Base64, TheUrlAlphabetUsesDashAndUnderscoreWithoutPadding) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(to_base64(bytes, Base64::standard), "+/+/");
  EXPECT_EQ(to_base64(bytes, Base64::url), "-_-_");
  EXPECT_EQ(to_base64("fo", Base64::url), "Zm8");
  EXPECT_EQ(from_base64("-_-_", Base64::url), bytes);
  EXPECT_EQ(from_base64("Zm8", Base64::url), "fo");
}

TEST(Base64, EveryByteValueSurvivesTheRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (const Base64 alphabet : {Base64::standard, Base64::url}) {
    for (std::size_t size = 0; size <= bytes.size(); size += 37) {
      const std::string part = bytes.substr(0, size);
      EXPECT_EQ(from_base64(to_base64(part, alphabet), alphabet), part) << size;
    }
  }
}

TEST(Base64, AnythingButWholeBase64OfTheAlphabetIsRefused) {
  EXPECT_EQ(from_base64("", Base64::url), "");
  EXPECT_EQ(from_base64("Zm8=", Base64::url), std::nullopt);      // padding is not URL-safe base64
  EXPECT_EQ(from_base64("-_-_", Base64::standard), std::nullopt);  // nor are - and _ standard
  EXPECT_EQ(from_base64("Zm9v!", Base64::standard), std::nullopt);
  EXPECT_EQ(from_base64("Zm9v Zm9v", Base64::standard), std::nullopt);
  EXPECT_EQ(from_base64("Z", Base64::url), std::nullopt);  // one character carries no whole byte
}

}  // namespace
}  // namespace pse

// The SDK's base64 (crypto/key_text.hpp): the table coder agrees with libsodium's on every
// length, and refuses what libsodium refuses; keys still decode exactly 32 bytes.
#include "crypto/key_text.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace pse::crypto {
namespace {

std::string sodium_text(const std::vector<std::uint8_t>& bytes, int variant) {
  if (bytes.empty()) return "";  // libsodium's arguments must not be null
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
  text.pop_back();
  return text;
}

TEST(KeyText, EncodesAndDecodesAsLibsodiumAtEveryLength) {
  ensure_sodium();
  for (std::size_t size = 0; size <= 200; ++size) {
    std::vector<std::uint8_t> bytes(size);
    if (size > 0) randombytes_buf(bytes.data(), bytes.size());
    for (const auto& [alphabet, variant] : {std::pair{Alphabet::standard, sodium_base64_VARIANT_ORIGINAL},
                                            std::pair{Alphabet::url_unpadded, sodium_base64_VARIANT_URLSAFE_NO_PADDING}}) {
      const std::string text = to_base64(bytes.data(), bytes.size(), alphabet);
      ASSERT_EQ(text, sodium_text(bytes, variant)) << size;
      const auto decoded = from_base64(text, size, alphabet);
      ASSERT_TRUE(decoded.has_value()) << size;
      EXPECT_EQ(*decoded, bytes) << size;
      if (size > 0) EXPECT_FALSE(from_base64(text, size - 1, alphabet).has_value()) << "longer than max_bytes";
    }
  }
}

TEST(KeyText, RefusesWhatIsNotCanonicalBase64) {
  const std::size_t max = 64;
  // Characters of the other alphabet, or of neither.
  EXPECT_FALSE(from_base64("ab-_", max, Alphabet::standard));
  EXPECT_FALSE(from_base64("ab+/", max, Alphabet::url_unpadded));
  EXPECT_FALSE(from_base64("ab c", max, Alphabet::url_unpadded));
  EXPECT_FALSE(from_base64("abc\n", max, Alphabet::standard));
  // Padding: required where the standard alphabet needs it, exactly, and never in the url one.
  EXPECT_TRUE(from_base64("YWI=", max, Alphabet::standard));
  EXPECT_FALSE(from_base64("YWI", max, Alphabet::standard));
  EXPECT_FALSE(from_base64("YWI==", max, Alphabet::standard));
  EXPECT_FALSE(from_base64("YQ=", max, Alphabet::standard));
  EXPECT_FALSE(from_base64("Y===", max, Alphabet::standard));
  EXPECT_FALSE(from_base64("YWI=", max, Alphabet::url_unpadded));
  EXPECT_TRUE(from_base64("YWI", max, Alphabet::url_unpadded));
  // One character left over holds no byte; unused low bits must be zero (one text per value).
  EXPECT_FALSE(from_base64("YWJjZ", max, Alphabet::url_unpadded));
  EXPECT_FALSE(from_base64("YR", max, Alphabet::url_unpadded));
  EXPECT_FALSE(from_base64("YWJ", max, Alphabet::url_unpadded));
  EXPECT_EQ(from_base64("", max, Alphabet::url_unpadded).value().size(), 0u);
}

TEST(KeyText, KeysAreExactly32BytesOfStandardBase64) {
  ensure_sodium();
  std::vector<std::uint8_t> bytes(32);
  randombytes_buf(bytes.data(), bytes.size());
  const std::string text = sodium_text(bytes, sodium_base64_VARIANT_ORIGINAL);
  const auto key = decode_key(text + "\n");
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(std::equal(key->begin(), key->end(), bytes.begin()));
  bytes.pop_back();
  EXPECT_FALSE(decode_key(sodium_text(bytes, sodium_base64_VARIANT_ORIGINAL)));
  bytes.resize(33);
  EXPECT_FALSE(decode_key(sodium_text(bytes, sodium_base64_VARIANT_ORIGINAL)));
  EXPECT_FALSE(decode_key(""));
  EXPECT_FALSE(decode_key(text.substr(0, text.size() - 1)));  // padding cut
}

}  // namespace
}  // namespace pse::crypto

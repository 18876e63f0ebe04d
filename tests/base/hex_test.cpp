// Hex as the platform writes it (hashes, keys, ids), SHA-256 against the FIPS 180-2 vectors,
// and random ids.
#include "base/hex.hpp"
#include "base/random_id.hpp"
#include "base/sha256.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pse {
namespace {

TEST(Hex, WritesLowerCaseAndReadsEitherCase) {
  EXPECT_EQ(to_hex(std::string_view("\x00\x0f\xa5\xff", 4)), "000fa5ff");
  EXPECT_EQ(to_hex(std::string_view()), "");
  EXPECT_EQ(bytes_from_hex("000FA5ff", 4), std::string("\x00\x0f\xa5\xff", 4));
}

TEST(Hex, RefusesAnythingButExactlyTheDigitsAsked) {
  EXPECT_FALSE(bytes_from_hex("000fa5f", 4));    // odd
  EXPECT_FALSE(bytes_from_hex("000fa5ff00", 4));  // too long
  EXPECT_FALSE(bytes_from_hex("000fa5fg", 4));    // not a digit
  EXPECT_FALSE(bytes_from_hex(" 00fa5ff", 4));
}

TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // In parts, and two digests alive at once on one thread (the second gets its own context).
  Sha256 outer;
  outer.update("a");
  Sha256 inner;
  inner.update("abc");
  outer.update(std::string_view("bc"));
  EXPECT_EQ(outer.finish(), inner.finish());
  EXPECT_EQ(hash_from_hex(to_hex(sha256("abc"))), sha256("abc"));
  EXPECT_FALSE(hash_from_hex("ba7816bf"));
}

TEST(RandomId, IsThePrefixAndHexOfTheBytesAsked) {
  const std::string id = random_id("cns_");
  ASSERT_EQ(id.size(), 4U + 32U);
  EXPECT_EQ(id.substr(0, 4), "cns_");
  EXPECT_TRUE(bytes_from_hex(id.substr(4), 16));
  EXPECT_EQ(random_id("rq-", 12).size(), 3U + 24U);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(random_id(""));
  EXPECT_EQ(seen.size(), 1000U);
}

}  // namespace
}  // namespace pse

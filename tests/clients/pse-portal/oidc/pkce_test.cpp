// PKCE S256 (RFC 7636 Appendix B's example), the random tokens, the constant-time compare.
#include "oidc/pkce.hpp"

#include "base/base64.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pse::portal::oidc {
namespace {

TEST(Pkce, ChallengeIsRfc7636AppendixBExample) {
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, NewPkceIsAVerifierAndItsChallenge) {
  const Pkce pkce = new_pkce();
  EXPECT_EQ(pkce.verifier.size(), 43U);  // RFC 7636 §4.1: 43 to 128 characters
  EXPECT_EQ(pkce.challenge, pkce_challenge(pkce.verifier));
  EXPECT_NE(new_pkce().verifier, pkce.verifier);
}

TEST(Pkce, RandomTokensAre32BytesOfBase64url) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = random_token();
    ASSERT_EQ(token.size(), 43U);
    const auto bytes = from_base64(token, Base64::url);
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(bytes->size(), 32U);
    EXPECT_TRUE(seen.insert(token).second);
  }
}

TEST(Pkce, SameSecretComparesWholeValues) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "abcd"));
  EXPECT_FALSE(same_secret("abc", ""));
  EXPECT_TRUE(same_secret("", ""));
}

}  // namespace
}  // namespace pse::portal::oidc

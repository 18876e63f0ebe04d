// The provider's JWKS: the three kinds of key kept, other kinds skipped, weak, malformed or
// private keys refused, lookups by kid and by type.
#include "oidc/key_set.hpp"

#include "test_keys.hpp"

#include <gtest/gtest.h>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;
using namespace test_keys;

class KeySetTest : public ::testing::Test {
 protected:
  const TestKey* rsa_ = &shared_keys().rsa;
  const TestKey* ec_ = &shared_keys().ec;
  const TestKey* ed_ = &shared_keys().ed;
};

TEST_F(KeySetTest, KeepsRsaEcAndEd25519Keys) {
  const auto set = KeySet::parse(jwks({rsa_->jwk, ec_->jwk, ed_->jwk}));
  ASSERT_TRUE(set) << set.error();
  ASSERT_EQ(set->keys().size(), 3U);
  EXPECT_EQ(set->keys()[0].type, KeyType::rsa);
  EXPECT_EQ(set->keys()[1].type, KeyType::ec_p256);
  EXPECT_EQ(set->keys()[2].type, KeyType::ed25519);
  EXPECT_EQ(set->keys()[2].kid, "ed-1");
}

TEST_F(KeySetTest, SkipsUnknownKindsAndEncryptionKeys) {
  json::object enc = rsa_->jwk;
  enc["use"] = "enc";
  json::object p384 = ec_->jwk;
  p384["crv"] = "P-384";
  json::object x25519 = ed_->jwk;
  x25519["crv"] = "X25519";
  json::object other_alg = rsa_->jwk;
  other_alg["alg"] = "PS256";
  json::object no_verify = rsa_->jwk;
  no_verify["key_ops"] = json::array{"encrypt"};
  const json::object unknown{{"kty", "future"}, {"kid", "f"}};
  const auto set = KeySet::parse(jwks({enc, p384, x25519, other_alg, no_verify, unknown, ed_->jwk}));
  ASSERT_TRUE(set) << set.error();
  ASSERT_EQ(set->keys().size(), 1U);
  EXPECT_EQ(set->keys()[0].type, KeyType::ed25519);
}

TEST_F(KeySetTest, KeepsKeysWhoseAlgAndOpsMatch) {
  json::object rsa = rsa_->jwk;
  rsa["alg"] = "RS256";
  rsa["key_ops"] = json::array{"verify"};
  rsa.erase("use");
  const auto set = KeySet::parse(jwks({rsa}));
  ASSERT_TRUE(set) << set.error();
  EXPECT_EQ(set->keys().size(), 1U);
}

TEST_F(KeySetTest, RefusesA1024BitRsaKey) {
  const TestKey weak = rsa_key("weak", 1024);
  const auto set = KeySet::parse(jwks({weak.jwk, ed_->jwk}));
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error(), "JWKS key 0: the RSA modulus has 1024 bits, at least 2048 are required");
}

TEST_F(KeySetTest, RefusesPrivateKeyMaterial) {
  json::object leaked = ed_->jwk;
  leaked["d"] = "AAAA";
  const auto set = KeySet::parse(jwks({leaked}));
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error(), "JWKS key 0 holds private key material");
  const json::object oct{{"kty", "oct"}, {"k", "c2VjcmV0"}};
  EXPECT_FALSE(KeySet::parse(jwks({oct, ed_->jwk})));
}

TEST_F(KeySetTest, RefusesAnEcPointOffTheCurve) {
  json::object off = ec_->jwk;
  const std::string y = std::string(off["y"].as_string());
  off["y"] = (y[0] == 'A' ? "B" : "A") + y.substr(1);
  const auto set = KeySet::parse(jwks({off}));
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error(), "JWKS key 0: the point is not on P-256");
}

TEST_F(KeySetTest, RefusesMalformedKeys) {
  json::object short_x = ed_->jwk;
  short_x["x"] = "AAAA";
  EXPECT_FALSE(KeySet::parse(jwks({short_x})));
  json::object bad_n = rsa_->jwk;
  bad_n["n"] = "not base64!";
  EXPECT_FALSE(KeySet::parse(jwks({bad_n})));
  json::object no_e = rsa_->jwk;
  no_e.erase("e");
  EXPECT_FALSE(KeySet::parse(jwks({no_e})));
  json::object even_e = rsa_->jwk;
  even_e["e"] = "AQAA";  // 65536
  EXPECT_FALSE(KeySet::parse(jwks({even_e})));
  json::object numeric_kid = rsa_->jwk;
  numeric_kid["kid"] = 7;
  EXPECT_FALSE(KeySet::parse(jwks({numeric_kid})));
  EXPECT_FALSE(KeySet::parse(R"({"keys":[42]})"));
  EXPECT_FALSE(KeySet::parse(R"({"keys":[{"n":"AQAB"}]})"));
}

TEST_F(KeySetTest, RefusesDocumentsWithoutUsableKeys) {
  const auto empty = KeySet::parse(R"({"keys":[]})");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(), "the JWKS document holds no usable signing key (RSA, EC P-256 or Ed25519, use sig)");
  EXPECT_EQ(KeySet::parse("{}").error(), "the JWKS document has no keys array");
  EXPECT_EQ(KeySet::parse("[1,2]").error(), "the JWKS document is not a JSON object");
  EXPECT_EQ(KeySet::parse("{\"keys\":[").error(), "the JWKS document is not a JSON object");
}

TEST_F(KeySetTest, BoundsTheDocument) {
  std::vector<json::object> many(33, ed_->jwk);
  EXPECT_EQ(KeySet::parse(jwks(many)).error(), "the JWKS document holds more than 32 keys");
  many.resize(32);
  EXPECT_TRUE(KeySet::parse(jwks(many)));
  json::object padded = ed_->jwk;
  padded["x-padding"] = std::string(KeySet::kMaxBytes, 'a');
  EXPECT_EQ(KeySet::parse(jwks({padded})).error(), "the JWKS document is larger than 64 KiB");
}

TEST_F(KeySetTest, FindsByKidAndType) {
  const auto set = KeySet::parse(jwks({rsa_->jwk, ec_->jwk, ed_->jwk}));
  ASSERT_TRUE(set) << set.error();
  const auto by_kid = set->find(std::string("ec-1"), KeyType::ec_p256);
  ASSERT_TRUE(by_kid) << by_kid.error();
  EXPECT_EQ((*by_kid)->kid, "ec-1");
  const auto only_rsa = set->find(std::nullopt, KeyType::rsa);
  ASSERT_TRUE(only_rsa) << only_rsa.error();
  EXPECT_EQ((*only_rsa)->kid, "rsa-1");
  EXPECT_EQ(set->find(std::string("nope"), KeyType::rsa).error(), "no key in the provider's JWKS has the token's kid");
  EXPECT_EQ(set->find(std::string("ec-1"), KeyType::rsa).error(),
            "the key the token's kid names is not an RSA key: the token's alg does not match the key's type");
}

TEST_F(KeySetTest, WithoutKidOnlyASingleKeyOfTheTypeIsChosen) {
  const TestKey second = rsa_key("rsa-2");
  const auto set = KeySet::parse(jwks({rsa_->jwk, second.jwk}));
  ASSERT_TRUE(set) << set.error();
  EXPECT_EQ(set->find(std::nullopt, KeyType::rsa).error(),
            "the token names no kid and the provider's JWKS holds several RSA keys");
  EXPECT_EQ(set->find(std::nullopt, KeyType::ed25519).error(), "the provider's JWKS holds no OKP Ed25519 key");
  EXPECT_TRUE(set->find(std::string("rsa-2"), KeyType::rsa));
}

}  // namespace
}  // namespace pse::portal::oidc

// Compact JWS verification with real keys: each algorithm verifies, and each way of forging or
// mangling a token is refused with its own message.
#include "oidc/jws.hpp"

#include "test_keys.hpp"

#include "base/base64.hpp"

#include <gtest/gtest.h>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;
using namespace test_keys;

const json::object kPayload{{"hello", "world"}};

class JwsTest : public ::testing::Test {
 protected:
  JwsTest() {
    auto set = KeySet::parse(jwks({keys_.rsa.jwk, keys_.ec.jwk, keys_.ed.jwk}));
    EXPECT_TRUE(set) << set.error();
    if (set) set_ = std::move(*set);
  }

  static json::object header(std::string_view alg, std::string_view kid) { return {{"alg", alg}, {"kid", kid}}; }

  // `token` with one byte of its signature changed.
  static std::string flip_signature_byte(const std::string& token) {
    const auto dot = token.rfind('.');
    std::string signature = *from_base64(std::string_view(token).substr(dot + 1), Base64::url);
    signature[signature.size() / 2] = static_cast<char>(signature[signature.size() / 2] ^ 0x01);
    return token.substr(0, dot + 1) + b64(signature);
  }

  const SharedKeys& keys_ = shared_keys();
  KeySet set_;
};

TEST_F(JwsTest, EachAlgorithmVerifies) {
  const std::pair<const TestKey*, const char*> cases[] = {
      {&keys_.rsa, "RS256"}, {&keys_.ec, "ES256"}, {&keys_.ed, "EdDSA"}};
  for (const auto& [key, alg] : cases) {
    const std::string token = sign(*key, alg, header(alg, std::string(key->jwk.at("kid").as_string())), kPayload);
    const auto verified = verify_jws(token, set_);
    ASSERT_TRUE(verified) << alg << ": " << verified.error();
    EXPECT_EQ(to_string(verified->algorithm), alg);
    EXPECT_EQ(verified->payload, R"({"hello":"world"})");
  }
}

TEST_F(JwsTest, TokenWithoutKidUsesTheOnlyKeyOfItsType) {
  const std::string token = sign(keys_.ed, "EdDSA", {{"alg", "EdDSA"}}, kPayload);
  EXPECT_TRUE(verify_jws(token, set_));
}

TEST_F(JwsTest, OneFlippedSignatureByteIsRefused) {
  const std::pair<const TestKey*, const char*> cases[] = {
      {&keys_.rsa, "RS256"}, {&keys_.ec, "ES256"}, {&keys_.ed, "EdDSA"}};
  for (const auto& [key, alg] : cases) {
    const std::string token = sign(*key, alg, header(alg, std::string(key->jwk.at("kid").as_string())), kPayload);
    const auto verified = verify_jws(flip_signature_byte(token), set_);
    ASSERT_FALSE(verified) << alg;
    EXPECT_EQ(verified.error(), "the token's signature does not verify with the provider's key") << alg;
  }
}

TEST_F(JwsTest, AChangedPayloadIsRefused) {
  const std::string token = sign(keys_.rsa, "RS256", header("RS256", "rsa-1"), kPayload);
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const std::string forged = token.substr(0, first + 1) + b64(R"({"hello":"mallory"})") + token.substr(second);
  EXPECT_EQ(verify_jws(forged, set_).error(), "the token's signature does not verify with the provider's key");
}

TEST_F(JwsTest, AlgNoneIsRefused) {
  const std::string unsigned_token = b64(R"({"alg":"none"})") + "." + b64(json::serialize(kPayload)) + ".";
  EXPECT_EQ(verify_jws(unsigned_token, set_).error(), "the token is unsigned (alg none), refused");
  const std::string with_kid = b64(R"({"alg":"none","kid":"rsa-1"})") + "." + b64("{}") + "." + b64("x");
  EXPECT_EQ(verify_jws(with_kid, set_).error(), "the token is unsigned (alg none), refused");
}

TEST_F(JwsTest, Hs256WithTheRsaModulusAsSecretIsRefused) {
  // The classic confusion: a verifier that feeds "the key" to whatever alg the header names
  // would check this HMAC with the public modulus, which everyone knows.
  const std::string forged = sign_hs256(rsa_modulus(keys_.rsa), header("HS256", "rsa-1"), kPayload);
  EXPECT_EQ(verify_jws(forged, set_).error(), "the token uses a shared-secret algorithm (HS*), refused");
}

TEST_F(JwsTest, AnAlgThatDoesNotMatchTheKeyTypeIsRefused) {
  const std::string rs256_on_ec = sign(keys_.rsa, "RS256", header("RS256", "ec-1"), kPayload);
  EXPECT_EQ(verify_jws(rs256_on_ec, set_).error(),
            "the key the token's kid names is not an RSA key: the token's alg does not match the key's type");
  const std::string es256_on_ed = sign(keys_.ec, "ES256", header("ES256", "ed-1"), kPayload);
  EXPECT_FALSE(verify_jws(es256_on_ed, set_));
}

TEST_F(JwsTest, AnAlgOutsideTheAllowListIsRefused) {
  const std::string token = sign(keys_.rsa, "RS256", header("RS256", "rsa-1"), kPayload);
  const std::array<Algorithm, 1> only_eddsa{Algorithm::eddsa};
  EXPECT_EQ(verify_jws(token, set_, only_eddsa).error(), "the token's alg RS256 is not one this client allows");
  const std::string rs512 = b64(R"({"alg":"RS512","kid":"rsa-1"})") + "." + b64("{}") + "." + b64("x");
  EXPECT_EQ(verify_jws(rs512, set_).error(), "the token's alg is not one this client allows");
  const std::string no_alg = b64(R"({"kid":"rsa-1"})") + "." + b64("{}") + "." + b64("x");
  EXPECT_EQ(verify_jws(no_alg, set_).error(), "the token's header has no alg");
}

TEST_F(JwsTest, UnknownKidIsRefused) {
  const std::string token = sign(keys_.rsa, "RS256", header("RS256", "rotated-away"), kPayload);
  EXPECT_EQ(verify_jws(token, set_).error(), "no key in the provider's JWKS has the token's kid");
}

TEST_F(JwsTest, CritIsRefused) {
  json::object crit = header("RS256", "rsa-1");
  crit["crit"] = json::array{"b64"};
  crit["b64"] = false;
  const std::string token = sign(keys_.rsa, "RS256", crit, kPayload);
  EXPECT_EQ(verify_jws(token, set_).error(), "the token's header has crit extensions, refused");
}

TEST_F(JwsTest, OverLongTokensAreRefused) {
  json::object payload = kPayload;
  payload["filler"] = std::string(kMaxJwsBytes, 'a');
  const std::string token = sign(keys_.ed, "EdDSA", header("EdDSA", "ed-1"), payload);
  EXPECT_EQ(verify_jws(token, set_).error(), "the token is longer than 16 KiB");
}

TEST_F(JwsTest, MalformedTokensAreRefused) {
  const std::string good = sign(keys_.ed, "EdDSA", header("EdDSA", "ed-1"), kPayload);
  ASSERT_TRUE(verify_jws(good, set_));
  const auto first = good.find('.');
  const auto second = good.find('.', first + 1);
  const std::string header_part = good.substr(0, first);
  const std::string rest = good.substr(first);

  EXPECT_EQ(verify_jws("", set_).error(), "the token is empty");
  const std::string not_compact = "the token is not a compact JWS (three parts separated by dots)";
  EXPECT_EQ(verify_jws("abc", set_).error(), not_compact);
  EXPECT_EQ(verify_jws(good.substr(0, second), set_).error(), not_compact);
  EXPECT_EQ(verify_jws(good + ".x", set_).error(), not_compact);
  EXPECT_EQ(verify_jws(header_part + "=" + rest, set_).error(), "the token's header is not base64url");
  EXPECT_EQ(verify_jws("!" + header_part.substr(1) + rest, set_).error(), "the token's header is not base64url");
  EXPECT_EQ(verify_jws(" " + good, set_).error(), "the token's header is not base64url");
  EXPECT_EQ(verify_jws(rest, set_).error(), "the token's header is not base64url");  // empty header
  EXPECT_EQ(verify_jws(b64("{\"alg\":\"EdDSA\"") + rest, set_).error(), "the token's header is not a JSON object");
  EXPECT_EQ(verify_jws(b64("[\"EdDSA\"]") + rest, set_).error(), "the token's header is not a JSON object");
  EXPECT_EQ(verify_jws(good + "=", set_).error(), "the token's signature is missing or not base64url");
  EXPECT_EQ(verify_jws(good.substr(0, second + 1), set_).error(), "the token's signature is missing or not base64url");
  EXPECT_EQ(verify_jws(good.substr(0, second) + "." + b64("short"), set_).error(),
            "the token's signature is not the length EdDSA gives");
  const std::string kid_number = b64(R"({"alg":"EdDSA","kid":1})") + rest;
  EXPECT_EQ(verify_jws(kid_number, set_).error(), "the token's kid is not a string");
}

TEST_F(JwsTest, Es256WantsTheJoseSignatureNotDer) {
  const std::string token = sign(keys_.ec, "ES256", header("ES256", "ec-1"), kPayload);
  const auto dot = token.rfind('.');
  const auto raw = *from_base64(std::string_view(token).substr(dot + 1), Base64::url);
  const auto der = ecdsa_raw_to_der(raw);
  ASSERT_TRUE(der);
  EXPECT_EQ(static_cast<unsigned char>((*der)[0]), 0x30U);  // a DER SEQUENCE
  EXPECT_EQ(verify_jws(token.substr(0, dot + 1) + b64(*der), set_).error(),
            "the token's signature is not the length ES256 gives");
  EXPECT_FALSE(ecdsa_raw_to_der(std::string(63, 'a')));
}

}  // namespace
}  // namespace pse::portal::oidc

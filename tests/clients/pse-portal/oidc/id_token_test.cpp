// The ID token's checks, on tokens signed with real keys: a good token passes with each
// algorithm, and every claim that is missing, wrong, stale or early is refused with a message
// that names the claim and never repeats what the token holds.
#include "oidc/id_token.hpp"

#include "test_keys.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;
using namespace test_keys;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::string_view kIssuer = "https://idp.example.gouv.qc.ca";
constexpr std::string_view kClient = "pse-portal";
constexpr std::string_view kNonce = "n-0S6_WzA2Mj";

class IdTokenTest : public ::testing::Test {
 protected:
  IdTokenTest() {
    auto set = KeySet::parse(jwks({keys_.rsa.jwk, keys_.ec.jwk, keys_.ed.jwk}));
    EXPECT_TRUE(set) << set.error();
    if (set) set_ = std::move(*set);
    expect_.issuer = kIssuer;
    expect_.client_id = kClient;
    expect_.nonce = kNonce;
    expect_.now = kNow;
    expect_.subject_claim = "pse_subject";
  }

  // What the provider signs for a good sign-in.
  static json::object good_claims() {
    return {{"iss", kIssuer},          {"sub", "a1b2c3"},      {"aud", kClient},
            {"exp", kNow + 600},       {"iat", kNow - 5},      {"auth_time", kNow - 30},
            {"nonce", kNonce},         {"pse_subject", "QC-0042-7731"}, {"name", "Émilie Tremblay"}};
  }

  std::string token(const json::object& claims, const char* alg = "RS256", const char* kid = "rsa-1") const {
    const TestKey& key = std::string_view(alg) == "ES256" ? keys_.ec : std::string_view(alg) == "EdDSA" ? keys_.ed : keys_.rsa;
    return sign(key, alg, {{"alg", alg}, {"kid", kid}}, claims);
  }

  // The error for the good claims changed by `change`.
  std::string error_with(const std::function<void(json::object&)>& change) const {
    json::object claims = good_claims();
    change(claims);
    const auto verified = verify_id_token(token(claims), set_, expect_);
    return verified ? "accepted" : verified.error();
  }

  const SharedKeys& keys_ = shared_keys();
  KeySet set_;
  IdTokenExpectations expect_;
};

TEST_F(IdTokenTest, AGoodTokenPasses) {
  const auto verified = verify_id_token(token(good_claims()), set_, expect_);
  ASSERT_TRUE(verified) << verified.error();
  EXPECT_EQ(verified->subject, "QC-0042-7731");
  EXPECT_EQ(verified->sub, "a1b2c3");
  EXPECT_EQ(verified->name, "Émilie Tremblay");
  EXPECT_EQ(verified->issued_at, kNow - 5);
  EXPECT_EQ(verified->expires_at, kNow + 600);
  EXPECT_EQ(verified->claims.at("auth_time").as_int64(), kNow - 30);
}

TEST_F(IdTokenTest, EachAlgorithmPasses) {
  EXPECT_TRUE(verify_id_token(token(good_claims(), "ES256", "ec-1"), set_, expect_));
  EXPECT_TRUE(verify_id_token(token(good_claims(), "EdDSA", "ed-1"), set_, expect_));
}

TEST_F(IdTokenTest, TheAlgorithmCanBePinned) {
  expect_.algorithms = {Algorithm::rs256};
  EXPECT_TRUE(verify_id_token(token(good_claims()), set_, expect_));
  EXPECT_EQ(verify_id_token(token(good_claims(), "EdDSA", "ed-1"), set_, expect_).error(),
            "ID token: the token's alg EdDSA is not one this client allows");
}

TEST_F(IdTokenTest, SubjectClaimDefaultsToSub) {
  expect_.subject_claim = IdTokenExpectations{}.subject_claim;
  const auto verified = verify_id_token(token(good_claims()), set_, expect_);
  ASSERT_TRUE(verified) << verified.error();
  EXPECT_EQ(verified->subject, "a1b2c3");
}

TEST_F(IdTokenTest, SignatureFailuresAreRefused) {
  const std::string good = token(good_claims());
  std::string flipped = good;
  flipped[good.size() - 10] = flipped[good.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_id_token(flipped, set_, expect_).error(),
            "ID token: the token's signature does not verify with the provider's key");
  const std::string none = b64(R"({"alg":"none"})") + "." + b64(json::serialize(good_claims())) + ".";
  EXPECT_EQ(verify_id_token(none, set_, expect_).error(), "ID token: the token is unsigned (alg none), refused");
  const std::string hs256 = sign_hs256(rsa_modulus(keys_.rsa), {{"alg", "HS256"}, {"kid", "rsa-1"}}, good_claims());
  EXPECT_EQ(verify_id_token(hs256, set_, expect_).error(),
            "ID token: the token uses a shared-secret algorithm (HS*), refused");
  EXPECT_EQ(verify_id_token(token(good_claims(), "RS256", "ec-1"), set_, expect_).error(),
            "ID token: the key the token's kid names is not an RSA key: the token's alg does not match the key's type");
  EXPECT_EQ(verify_id_token(token(good_claims(), "RS256", "unknown"), set_, expect_).error(),
            "ID token: no key in the provider's JWKS has the token's kid");
}

TEST_F(IdTokenTest, MalformedTokensAreRefused) {
  EXPECT_EQ(verify_id_token("not-a-token", set_, expect_).error(),
            "ID token: the token is not a compact JWS (three parts separated by dots)");
  EXPECT_EQ(verify_id_token("%%%.abc.def", set_, expect_).error(), "ID token: the token's header is not base64url");
  json::object filler = good_claims();
  filler["filler"] = std::string(kMaxJwsBytes, 'x');
  EXPECT_EQ(verify_id_token(token(filler), set_, expect_).error(), "ID token: the token is longer than 16 KiB");
  EXPECT_EQ(verify_id_token(std::string(kMaxJwsBytes + 1, 'a'), set_, expect_).error(),
            "ID token: the token is longer than 16 KiB");
}

TEST_F(IdTokenTest, ClaimsThatAreNotAnObjectAreRefused) {
  const std::string header = R"({"alg":"RS256","kid":"rsa-1"})";
  for (const char* payload : {"not json", "[1,2]", "{\"iss\":", "\"text\""}) {
    EXPECT_EQ(verify_id_token(sign_text(keys_.rsa, "RS256", header, payload), set_, expect_).error(),
              "the ID token's claims are not a JSON object")
        << payload;
  }
  EXPECT_EQ(error_with([](json::object& claims) { claims = json::object{}; }), "the ID token has no iss");
}

TEST_F(IdTokenTest, CritHeaderIsRefused) {
  const std::string token_with_crit =
      sign(keys_.rsa, "RS256", {{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", json::array{"exp"}}}, good_claims());
  EXPECT_EQ(verify_id_token(token_with_crit, set_, expect_).error(),
            "ID token: the token's header has crit extensions, refused");
}

TEST_F(IdTokenTest, OtherTokenTypesAreRefused) {
  const std::string access = sign(keys_.rsa, "RS256", {{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", "at+jwt"}}, good_claims());
  EXPECT_EQ(verify_id_token(access, set_, expect_).error(), "the token's typ says it is not an ID token");
  const std::string jwt = sign(keys_.rsa, "RS256", {{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", "JWT"}}, good_claims());
  EXPECT_TRUE(verify_id_token(jwt, set_, expect_));
}

TEST_F(IdTokenTest, TimesAreChecked) {
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = kNow - 61; }), "the ID token has expired");
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = kNow - 60; }), "the ID token has expired");
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = kNow - 59; }), "accepted");  // within the leeway
  EXPECT_EQ(error_with([](json::object& c) { c.erase("exp"); }), "the ID token has no integer exp");
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = "tomorrow"; }), "the ID token has no integer exp");
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = 1.8e9 + 600.5; }), "the ID token has no integer exp");
  EXPECT_EQ(error_with([](json::object& c) { c["iat"] = kNow + 61; }), "the ID token is issued in the future (iat)");
  EXPECT_EQ(error_with([](json::object& c) { c["iat"] = kNow + 60; }), "accepted");
  EXPECT_EQ(error_with([](json::object& c) { c.erase("iat"); }), "the ID token has no integer iat");
  EXPECT_EQ(error_with([](json::object& c) { c["nbf"] = kNow + 120; }), "the ID token is not valid yet (nbf)");
  EXPECT_EQ(error_with([](json::object& c) { c["nbf"] = kNow; }), "accepted");
  EXPECT_EQ(error_with([](json::object& c) { c["nbf"] = "now"; }), "the ID token's nbf is not an integer");
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = std::numeric_limits<std::int64_t>::max(); }), "accepted");
  EXPECT_EQ(error_with([](json::object& c) { c["exp"] = std::numeric_limits<std::uint64_t>::max(); }),
            "the ID token has no integer exp");
  EXPECT_EQ(error_with([](json::object& c) { c["iat"] = std::numeric_limits<std::int64_t>::min(); }), "accepted");
}

TEST_F(IdTokenTest, MaxAgeNeedsARecentAuthTime) {
  expect_.max_age = 300;
  EXPECT_EQ(error_with([](json::object&) {}), "accepted");
  EXPECT_EQ(error_with([](json::object& c) { c.erase("auth_time"); }),
            "the ID token has no integer auth_time, and a max_age was asked");
  EXPECT_EQ(error_with([](json::object& c) { c["auth_time"] = kNow - 361; }),
            "the citizen signed in longer ago than max_age allows (auth_time)");
  EXPECT_EQ(error_with([](json::object& c) { c["auth_time"] = kNow + 3600; }), "the ID token's auth_time is in the future");
}

TEST_F(IdTokenTest, IssuerMustMatchExactly) {
  EXPECT_EQ(error_with([](json::object& c) { c["iss"] = "https://evil.example"; }),
            "the ID token's iss is not the expected issuer");
  EXPECT_EQ(error_with([](json::object& c) { c["iss"] = std::string(kIssuer) + "/"; }),
            "the ID token's iss is not the expected issuer");
  EXPECT_EQ(error_with([](json::object& c) { c.erase("iss"); }), "the ID token has no iss");
}

TEST_F(IdTokenTest, AudienceMustNameTheClient) {
  EXPECT_EQ(error_with([](json::object& c) { c["aud"] = "another-client"; }),
            "the ID token is not meant for this client (aud)");
  EXPECT_EQ(error_with([](json::object& c) { c["aud"] = json::array{"a", "b"}; }),
            "the ID token is not meant for this client (aud)");
  EXPECT_EQ(error_with([](json::object& c) { c.erase("aud"); }), "the ID token has no aud");
  EXPECT_EQ(error_with([](json::object& c) { c["aud"] = 7; }), "the ID token's aud is neither a string nor an array");
  EXPECT_EQ(error_with([](json::object& c) { c["aud"] = json::array{kClient, 7}; }),
            "the ID token's aud holds something other than strings");
  EXPECT_EQ(error_with([](json::object& c) { c["aud"] = json::array{kClient}; }), "accepted");
}

TEST_F(IdTokenTest, SeveralAudiencesNeedAzp) {
  EXPECT_EQ(error_with([](json::object& c) { c["aud"] = json::array{kClient, "other"}; }),
            "the ID token has several audiences and no azp");
  EXPECT_EQ(error_with([](json::object& c) {
              c["aud"] = json::array{kClient, "other"};
              c["azp"] = "other";
            }),
            "the ID token's azp is not this client");
  EXPECT_EQ(error_with([](json::object& c) {
              c["aud"] = json::array{kClient, "other"};
              c["azp"] = kClient;
            }),
            "accepted");
  EXPECT_EQ(error_with([](json::object& c) { c["azp"] = "other"; }), "the ID token's azp is not this client");
}

TEST_F(IdTokenTest, NonceMustBeThisSignIns) {
  EXPECT_EQ(error_with([](json::object& c) { c["nonce"] = "replayed-from-another-sign-in"; }),
            "the ID token's nonce is not this sign-in's");
  EXPECT_EQ(error_with([](json::object& c) { c["nonce"] = std::string(kNonce) + "x"; }),
            "the ID token's nonce is not this sign-in's");
  EXPECT_EQ(error_with([](json::object& c) { c.erase("nonce"); }), "the ID token has no nonce");
}

TEST_F(IdTokenTest, SubjectClaimIsRequiredAndBounded) {
  EXPECT_EQ(error_with([](json::object& c) { c.erase("pse_subject"); }),
            "the ID token has no pse_subject claim (the PSE subject id)");
  EXPECT_EQ(error_with([](json::object& c) { c["pse_subject"] = 42; }),
            "the ID token has no pse_subject claim (the PSE subject id)");
  const std::string bounded = "the ID token's pse_subject is not 1 to 128 printable ASCII characters";
  EXPECT_EQ(error_with([](json::object& c) { c["pse_subject"] = ""; }), bounded);
  EXPECT_EQ(error_with([](json::object& c) { c["pse_subject"] = std::string(129, 'a'); }), bounded);
  EXPECT_EQ(error_with([](json::object& c) { c["pse_subject"] = std::string(128, 'a'); }), "accepted");
  EXPECT_EQ(error_with([](json::object& c) { c["pse_subject"] = "QC\n0042"; }), bounded);
  EXPECT_EQ(error_with([](json::object& c) { c["pse_subject"] = "Québec"; }), bounded);
  EXPECT_EQ(error_with([](json::object& c) { c.erase("sub"); }),
            "the ID token's sub is missing or not 1 to 255 printable ASCII characters");
  EXPECT_EQ(error_with([](json::object& c) { c["name"] = json::array{}; }), "the ID token's name is not a string");
}

TEST_F(IdTokenTest, MissingExpectationsAreAnError) {
  expect_.nonce.clear();
  EXPECT_EQ(verify_id_token(token(good_claims()), set_, expect_).error(),
            "the ID token check lacks its issuer, client_id, nonce or subject claim");
  expect_.nonce = kNonce;
  expect_.now = 0;
  EXPECT_EQ(verify_id_token(token(good_claims()), set_, expect_).error(),
            "the ID token check's time, leeway or max_age is out of range");
  expect_.now = kNow;
  expect_.leeway = -1;
  EXPECT_FALSE(verify_id_token(token(good_claims()), set_, expect_));
}

TEST_F(IdTokenTest, ErrorsNeverRepeatTheToken) {
  const std::string secret_nonce = "attacker-chosen-nonce-value";
  json::object claims = good_claims();
  claims["nonce"] = secret_nonce;
  claims["iss"] = "https://evil.example/issuer-text";
  const std::string forged = token(claims);
  for (const std::string& candidate : {forged, forged + "x", forged.substr(0, forged.size() - 4)}) {
    const auto verified = verify_id_token(candidate, set_, expect_);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().find(secret_nonce), std::string::npos) << verified.error();
    EXPECT_EQ(verified.error().find("evil"), std::string::npos) << verified.error();
    EXPECT_EQ(verified.error().find(forged.substr(0, 20)), std::string::npos) << verified.error();
  }
}

}  // namespace
}  // namespace pse::portal::oidc

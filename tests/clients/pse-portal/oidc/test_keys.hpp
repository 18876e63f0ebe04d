// Test keys and tokens: real RSA, P-256 and Ed25519 keys made by OpenSSL, their JWKs, and
// compact JWS signed with them (ES256 in JOSE's r || s form), for the relying party's tests.
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;

namespace pse::portal::oidc::test_keys {

struct TestKey {
  std::shared_ptr<evp_pkey_st> key;  ///< the key pair
  boost::json::object jwk;           ///< its public JWK, with kid and use "sig"
};

TestKey rsa_key(std::string_view kid, int bits = 2048);
TestKey ec_p256_key(std::string_view kid);
TestKey ed25519_key(std::string_view kid);

/// One key of each kind (kids "rsa-1", "ec-1", "ed-1"), made once per test program: RSA key
/// generation is slow enough to matter when every test makes its own.
struct SharedKeys {
  TestKey rsa, ec, ed;
};
const SharedKeys& shared_keys();

/// `{"keys":[…]}` of the JWKs.
std::string jwks(const std::vector<boost::json::object>& jwks);

/// base64url without padding.
std::string b64(std::string_view bytes);

/// The compact JWS of `header` and `payload` signed with `key` as `alg` says (RS256, ES256,
/// EdDSA; for ES256 the signature is converted to r || s).
std::string sign(const TestKey& key, std::string_view alg, const boost::json::object& header,
                 const boost::json::object& payload);

/// The same with any header and payload bytes (JSON or not).
std::string sign_text(const TestKey& key, std::string_view alg, std::string_view header, std::string_view payload);

/// The JWS signing input `b64(header).b64(payload)` and an HMAC-SHA256 of it under `secret`,
/// the shape of an HS256 token.
std::string sign_hs256(std::string_view secret, const boost::json::object& header, const boost::json::object& payload);

/// The raw bytes of an RSA key's modulus.
std::string rsa_modulus(const TestKey& key);

}  // namespace pse::portal::oidc::test_keys

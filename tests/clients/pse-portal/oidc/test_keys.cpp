#include "test_keys.hpp"

#include "base/base64.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace pse::portal::oidc::test_keys {
namespace {

namespace json = boost::json;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) {
  if (key == nullptr) throw std::runtime_error("OpenSSL could not make the test key");
  return {key, EVP_PKEY_free};
}

std::string bn_bytes(const EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no such key parameter");
  const int size = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), size);
  BN_free(bn);
  return bytes;
}

// DER ECDSA-Sig-Value to JOSE's r || s.
std::string ecdsa_der_to_raw(const std::string& der) {
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size()));
  if (sig == nullptr) throw std::runtime_error("not a DER ECDSA signature");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string signing_input(const json::object& header, const json::object& payload) {
  return b64(json::serialize(header)) + "." + b64(json::serialize(payload));
}

}  // namespace

std::string b64(std::string_view bytes) { return to_base64(bytes, Base64::url); }

TestKey rsa_key(std::string_view kid, int bits) {
  TestKey key{own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits))), {}};
  key.jwk = {{"kty", "RSA"},
             {"kid", kid},
             {"use", "sig"},
             {"n", b64(bn_bytes(key.key.get(), OSSL_PKEY_PARAM_RSA_N))},
             {"e", b64(bn_bytes(key.key.get(), OSSL_PKEY_PARAM_RSA_E))}};
  return key;
}

TestKey ec_p256_key(std::string_view kid) {
  TestKey key{own(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")), {}};
  key.jwk = {{"kty", "EC"},
             {"crv", "P-256"},
             {"kid", kid},
             {"use", "sig"},
             {"x", b64(bn_bytes(key.key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
             {"y", b64(bn_bytes(key.key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
  return key;
}

TestKey ed25519_key(std::string_view kid) {
  TestKey key{own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")), {}};
  std::string x(32, '\0');
  std::size_t length = x.size();
  if (EVP_PKEY_get_raw_public_key(key.key.get(), reinterpret_cast<unsigned char*>(x.data()), &length) != 1) {
    throw std::runtime_error("no Ed25519 public key");
  }
  key.jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", kid}, {"use", "sig"}, {"x", b64(x)}};
  return key;
}

const SharedKeys& shared_keys() {
  static const SharedKeys keys{rsa_key("rsa-1"), ec_p256_key("ec-1"), ed25519_key("ed-1")};
  return keys;
}

std::string jwks(const std::vector<json::object>& keys) {
  json::array array;
  for (const auto& key : keys) array.push_back(key);
  return json::serialize(json::object{{"keys", std::move(array)}});
}

std::string sign(const TestKey& key, std::string_view alg, const json::object& header, const json::object& payload) {
  return sign_text(key, alg, json::serialize(header), json::serialize(payload));
}

std::string sign_text(const TestKey& key, std::string_view alg, std::string_view header, std::string_view payload) {
  const std::string input = b64(header) + "." + b64(payload);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* digest = alg == "EdDSA" ? nullptr : EVP_sha256();
  std::size_t length = 0;
  std::string signature;
  if (EVP_DigestSignInit(ctx, nullptr, digest, nullptr, key.key.get()) == 1 &&
      EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1) {
    signature.resize(length);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      length = 0;
    }
  }
  EVP_MD_CTX_free(ctx);
  if (length == 0) throw std::runtime_error("OpenSSL could not sign");
  signature.resize(length);
  if (alg == "ES256") signature = ecdsa_der_to_raw(signature);
  return input + "." + b64(signature);
}

std::string sign_hs256(std::string_view secret, const json::object& header, const json::object& payload) {
  const std::string input = signing_input(header, payload);
  std::string mac(32, '\0');
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                reinterpret_cast<unsigned char*>(mac.data()), mac.size(), &length) == nullptr) {
    throw std::runtime_error("OpenSSL could not compute the HMAC");
  }
  return input + "." + b64(mac);
}

std::string rsa_modulus(const TestKey& key) { return bn_bytes(key.key.get(), OSSL_PKEY_PARAM_RSA_N); }

}  // namespace pse::portal::oidc::test_keys

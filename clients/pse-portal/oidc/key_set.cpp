#include "oidc/key_set.hpp"

#include "oidc/json_input.hpp"

#include "base/base64.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxKidLength = 256;
constexpr int kMaxExponentBits = 64;
// 8192 bits, and the leading zero byte some encoders put before the modulus.
constexpr auto kMaxModulusBytes = static_cast<std::size_t>(KeySet::kMaxRsaBits / 8 + 1);

using KeyResult = Expected<std::shared_ptr<EVP_PKEY>, std::string>;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct BuildFree {
  void operator()(OSSL_PARAM_BLD* build) const { OSSL_PARAM_BLD_free(build); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// The bytes of a base64url member; std::nullopt when absent, not a string, empty or not base64url.
std::optional<std::string> bytes_member(const json::object& jwk, std::string_view name) {
  const json::string* text = string_member(jwk, name);
  if (text == nullptr || text->empty()) return std::nullopt;
  return from_base64(std::string_view(text->data(), text->size()), Base64::url);
}

Bn to_bn(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// A public key of `type_name` ("RSA", "EC") from the parameters `build` holds.
EVP_PKEY* from_params(const char* type_name, OSSL_PARAM_BLD* build) {
  const std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(build));
  const std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return key;
}

KeyResult rsa_key(const json::object& jwk, const std::string& where) {
  const auto n_bytes = bytes_member(jwk, "n");
  const auto e_bytes = bytes_member(jwk, "e");
  if (!n_bytes || !e_bytes) return where + ": n or e is missing or not base64url";
  // Bound the work before any big-number arithmetic.
  if (n_bytes->size() > kMaxModulusBytes || e_bytes->size() > kMaxModulusBytes) return where + ": n or e is too long";
  const Bn n = to_bn(*n_bytes);
  const Bn e = to_bn(*e_bytes);
  if (!n || !e) return where + ": n or e cannot be read";
  const int bits = BN_num_bits(n.get());
  if (bits < KeySet::kMinRsaBits) {
    return where + ": the RSA modulus has " + std::to_string(bits) + " bits, at least " +
           std::to_string(KeySet::kMinRsaBits) + " are required";
  }
  if (bits > KeySet::kMaxRsaBits) return where + ": the RSA modulus has more than 8192 bits";
  if (!BN_is_odd(n.get()) || !BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_num_bits(e.get()) > kMaxExponentBits) {
    return where + ": n or e is not a usable RSA public key";
  }
  const std::unique_ptr<OSSL_PARAM_BLD, BuildFree> build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return where + ": the RSA key cannot be built";
  }
  EVP_PKEY* key = from_params("RSA", build.get());
  if (key == nullptr) return where + ": OpenSSL refuses the RSA key";
  return own(key);
}

KeyResult ec_p256_key(const json::object& jwk, const std::string& where) {
  const auto x = bytes_member(jwk, "x");
  const auto y = bytes_member(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return where + ": x and y must be 32 bytes of base64url each";
  std::array<unsigned char, 65> point{};
  point[0] = 0x04;  // uncompressed: 04 || x || y (SEC 1 §2.3.3)
  std::copy(x->begin(), x->end(), point.begin() + 1);
  std::copy(y->begin(), y->end(), point.begin() + 33);
  const std::unique_ptr<OSSL_PARAM_BLD, BuildFree> build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return where + ": the EC key cannot be built";
  }
  EVP_PKEY* raw = from_params("EC", build.get());
  if (raw == nullptr) return where + ": the point is not on P-256";
  auto key = own(raw);
  // A point OpenSSL took must still pass the full public-key check (on the curve, not infinity).
  const std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) return where + ": the point is not on P-256";
  return key;
}

KeyResult ed25519_key(const json::object& jwk, const std::string& where) {
  const auto x = bytes_member(jwk, "x");
  if (!x || x->size() != 32) return where + ": x must be 32 bytes of base64url";
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                              reinterpret_cast<const unsigned char*>(x->data()), x->size());
  if (key == nullptr) return where + ": OpenSSL refuses the Ed25519 key";
  return own(key);
}

// The kind of key a JWK is, when it is one this client verifies with; std::nullopt otherwise.
std::optional<KeyType> kept_type(const json::object& jwk) {
  const json::string* kty = string_member(jwk, "kty");
  const json::string* crv = string_member(jwk, "crv");
  if (*kty == "RSA") return KeyType::rsa;
  if (*kty == "EC" && crv != nullptr && *crv == "P-256") return KeyType::ec_p256;
  if (*kty == "OKP" && crv != nullptr && *crv == "Ed25519") return KeyType::ed25519;
  return std::nullopt;
}

std::string_view algorithm_of(KeyType type) {
  switch (type) {
    case KeyType::rsa: return "RS256";
    case KeyType::ec_p256: return "ES256";
    case KeyType::ed25519: return "EdDSA";
  }
  return "";
}

// Whether `key_ops`, when present, allows verifying.
bool may_verify(const json::value* key_ops) {
  if (key_ops == nullptr) return true;
  if (!key_ops->is_array()) return false;
  for (const json::value& op : key_ops->get_array()) {
    if (op.is_string() && op.get_string() == "verify") return true;
  }
  return false;
}

// One entry of `keys`: a key, std::nullopt when skipped, or the error that spoils the document.
Expected<std::optional<PublicKey>, std::string> read_key(const json::value& entry, std::size_t index) {
  const std::string where = "JWKS key " + std::to_string(index);
  if (!entry.is_object()) return where + " is not an object";
  const json::object& jwk = entry.get_object();
  if (string_member(jwk, "kty") == nullptr) return where + " has no kty";
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    if (jwk.contains(secret)) return where + " holds private key material";
  }
  const json::value* use = jwk.if_contains("use");
  if (use != nullptr && !use->is_string()) return where + ": use is not a string";
  const json::value* alg = jwk.if_contains("alg");
  if (alg != nullptr && !alg->is_string()) return where + ": alg is not a string";
  const json::value* kid = jwk.if_contains("kid");
  if (kid != nullptr && (!kid->is_string() || kid->get_string().empty() || kid->get_string().size() > kMaxKidLength)) {
    return where + ": kid is not a string of 1 to 256 characters";
  }

  const std::optional<KeyType> type = kept_type(jwk);
  if (!type) return std::optional<PublicKey>();                                            // another kind of key
  if (use != nullptr && use->get_string() != "sig") return std::optional<PublicKey>();     // an encryption key
  if (!may_verify(jwk.if_contains("key_ops"))) return std::optional<PublicKey>();
  if (alg != nullptr && alg->get_string() != algorithm_of(*type)) return std::optional<PublicKey>();

  KeyResult key = *type == KeyType::rsa       ? rsa_key(jwk, where)
                  : *type == KeyType::ec_p256 ? ec_p256_key(jwk, where)
                                              : ed25519_key(jwk, where);
  if (!key) {
    ERR_clear_error();  // what OpenSSL queued must not surface in another caller's error
    return key.error();
  }
  PublicKey out;
  if (kid != nullptr) out.kid = std::string(kid->get_string());
  out.type = *type;
  out.key = std::move(key).value();
  return std::optional<PublicKey>(std::move(out));
}

}  // namespace

std::string_view to_string(KeyType type) noexcept {
  switch (type) {
    case KeyType::rsa: return "RSA";
    case KeyType::ec_p256: return "EC P-256";
    case KeyType::ed25519: return "OKP Ed25519";
  }
  return "unknown";
}

Expected<KeySet, std::string> KeySet::parse(std::string_view text) {
  if (text.size() > kMaxBytes) return std::string("the JWKS document is larger than 64 KiB");
  const auto document = parse_json_object(text, kMaxBytes);
  if (!document) return std::string("the JWKS document is not a JSON object");
  const json::value* keys = document->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return std::string("the JWKS document has no keys array");
  if (keys->get_array().size() > kMaxKeys) return std::string("the JWKS document holds more than 32 keys");
  KeySet set;
  std::size_t index = 0;
  for (const json::value& entry : keys->get_array()) {
    auto key = read_key(entry, index++);
    if (!key) return key.error();
    if (*key) set.keys_.push_back(std::move(**key));
  }
  if (set.keys_.empty()) {
    return std::string("the JWKS document holds no usable signing key (RSA, EC P-256 or Ed25519, use sig)");
  }
  return set;
}

Expected<const PublicKey*, std::string> KeySet::find(const std::optional<std::string>& kid, KeyType type) const {
  const PublicKey* found = nullptr;
  bool kid_of_other_type = false;
  for (const PublicKey& key : keys_) {
    if (kid && key.kid != *kid) continue;
    if (key.type != type) {
      kid_of_other_type = true;
      continue;
    }
    if (found != nullptr) {
      return std::string(kid ? "the provider's JWKS holds several keys with the token's kid"
                             : "the token names no kid and the provider's JWKS holds several " +
                                   std::string(to_string(type)) + " keys");
    }
    found = &key;
  }
  if (found != nullptr) return found;
  if (kid && kid_of_other_type) {
    return "the key the token's kid names is not an " + std::string(to_string(type)) +
           " key: the token's alg does not match the key's type";
  }
  if (kid) return std::string("no key in the provider's JWKS has the token's kid");
  return "the provider's JWKS holds no " + std::string(to_string(type)) + " key";
}

}  // namespace pse::portal::oidc

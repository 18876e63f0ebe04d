#include "oidc/jws.hpp"

#include "oidc/json_input.hpp"

#include "base/base64.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxHeaderBytes = 2048;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct SigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

bool verify_signature(EVP_PKEY* key, Algorithm algorithm, std::string_view input, std::string_view signature) {
  const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* key_ctx = nullptr;  // owned by ctx
  const EVP_MD* digest = algorithm == Algorithm::eddsa ? nullptr : EVP_sha256();  // Ed25519 hashes by itself
  if (EVP_DigestVerifyInit(ctx.get(), &key_ctx, digest, nullptr, key) != 1) return false;
  if (algorithm == Algorithm::rs256 && EVP_PKEY_CTX_set_rsa_padding(key_ctx, RSA_PKCS1_PADDING) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

// The signature as OpenSSL verifies it; std::nullopt when its length is not the algorithm's.
std::optional<std::string> openssl_signature(EVP_PKEY* key, Algorithm algorithm, std::string&& signature) {
  switch (algorithm) {
    case Algorithm::rs256:
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) return std::nullopt;
      return std::move(signature);
    case Algorithm::es256: return ecdsa_raw_to_der(signature);
    case Algorithm::eddsa:
      if (signature.size() != 64) return std::nullopt;
      return std::move(signature);
  }
  return std::nullopt;
}

// Why a header's alg is refused, naming nothing the token chose unless it is one we know.
std::string refused_algorithm(const json::string* alg, std::span<const Algorithm> allowed) {
  if (alg == nullptr) return "the token's header has no alg";
  const std::string_view name(alg->data(), alg->size());
  if (name == "none" || name == "None" || name == "NONE") return "the token is unsigned (alg none), refused";
  if (name.starts_with("HS")) return "the token uses a shared-secret algorithm (HS*), refused";
  const auto known = algorithm_named(name);
  if (known && std::find(allowed.begin(), allowed.end(), *known) == allowed.end()) {
    return "the token's alg " + std::string(to_string(*known)) + " is not one this client allows";
  }
  return "the token's alg is not one this client allows";
}

}  // namespace

std::string_view to_string(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::rs256: return "RS256";
    case Algorithm::es256: return "ES256";
    case Algorithm::eddsa: return "EdDSA";
  }
  return "unknown";
}

std::optional<Algorithm> algorithm_named(std::string_view name) noexcept {
  if (name == "RS256") return Algorithm::rs256;
  if (name == "ES256") return Algorithm::es256;
  if (name == "EdDSA") return Algorithm::eddsa;
  return std::nullopt;
}

KeyType key_type_of(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::rs256: return KeyType::rsa;
    case Algorithm::es256: return KeyType::ec_p256;
    case Algorithm::eddsa: return KeyType::ed25519;
  }
  return KeyType::rsa;
}

std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  const std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {  // set0 owns r and s
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

Expected<VerifiedJws, std::string> verify_jws(std::string_view token, const KeySet& keys,
                                              std::span<const Algorithm> allowed) {
  if (token.empty()) return std::string("the token is empty");
  if (token.size() > kMaxJwsBytes) return std::string("the token is longer than 16 KiB");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::string("the token is not a compact JWS (three parts separated by dots)");
  }
  const std::string_view header_part = token.substr(0, first);
  const std::string_view payload_part = token.substr(first + 1, second - first - 1);
  const std::string_view signature_part = token.substr(second + 1);

  const auto header_text = from_base64(header_part, Base64::url);
  if (header_part.empty() || !header_text) return std::string("the token's header is not base64url");
  auto header = parse_json_object(*header_text, kMaxHeaderBytes);
  if (!header) return std::string("the token's header is not a JSON object");

  const json::string* alg_name = string_member(*header, "alg");
  const auto algorithm = alg_name == nullptr ? std::nullopt
                                             : algorithm_named(std::string_view(alg_name->data(), alg_name->size()));
  if (!algorithm || std::find(allowed.begin(), allowed.end(), *algorithm) == allowed.end()) {
    return refused_algorithm(alg_name, allowed);
  }
  if (header->contains("crit")) return std::string("the token's header has crit extensions, refused");
  std::optional<std::string> kid;
  if (const json::value* kid_value = header->if_contains("kid")) {
    if (!kid_value->is_string()) return std::string("the token's kid is not a string");
    kid = std::string(kid_value->get_string());
  }
  const auto key = keys.find(kid, key_type_of(*algorithm));
  if (!key) return key.error();

  auto signature = from_base64(signature_part, Base64::url);
  if (signature_part.empty() || !signature) return std::string("the token's signature is missing or not base64url");
  const auto native = openssl_signature((*key)->key.get(), *algorithm, std::move(*signature));
  if (!native) return "the token's signature is not the length " + std::string(to_string(*algorithm)) + " gives";
  if (!verify_signature((*key)->key.get(), *algorithm, token.substr(0, second), *native)) {
    ERR_clear_error();
    return std::string("the token's signature does not verify with the provider's key");
  }

  auto payload = from_base64(payload_part, Base64::url);
  if (payload_part.empty() || !payload) return std::string("the token's payload is empty or not base64url");
  return VerifiedJws{*algorithm, std::move(*header), std::move(*payload)};
}

}  // namespace pse::portal::oidc

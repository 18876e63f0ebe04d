// The OpenID provider's signing keys, read from its JWKS document (RFC 7517, at the discovery
// document's jwks_uri). Kept: signature keys (`use` absent or "sig") of three kinds — RSA of
// 2048 to 8192 bits, EC on P-256, OKP Ed25519 — each as an OpenSSL public key ready to verify.
// Keys of another kty or curve, or declared for another use or alg, are skipped. Any entry
// carrying private parameters (d, p, q, dp, dq, qi, k), a key of a kept kind that is malformed
// or too weak, and a document with no usable key are errors for the whole document: a provider
// publishing such a set is misconfigured, and saying so beats signing citizens in with the rest.
#pragma once

#include <pse/expected.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace pse::portal::oidc {

enum class KeyType { rsa, ec_p256, ed25519 };

/// "RSA", "EC P-256", "OKP Ed25519".
std::string_view to_string(KeyType type) noexcept;

struct PublicKey {
  std::string kid;  ///< empty when the JWK has none
  KeyType type = KeyType::rsa;
  std::shared_ptr<evp_pkey_st> key;  ///< never null in a KeySet
};

class KeySet {
 public:
  static constexpr std::size_t kMaxBytes = 64 * 1024;
  static constexpr std::size_t kMaxKeys = 32;
  static constexpr int kMinRsaBits = 2048;
  static constexpr int kMaxRsaBits = 8192;

  /// Reads a JWKS document (`{"keys":[…]}`, at most kMaxBytes and kMaxKeys entries).
  static Expected<KeySet, std::string> parse(std::string_view json);

  const std::vector<PublicKey>& keys() const noexcept { return keys_; }

  /// The key to check a signature made with a `type` key: the one of that type whose kid is
  /// `kid` when the token names one, otherwise the only key of that type. An error when there
  /// is none, or more than one.
  Expected<const PublicKey*, std::string> find(const std::optional<std::string>& kid, KeyType type) const;

 private:
  std::vector<PublicKey> keys_;
};

}  // namespace pse::portal::oidc

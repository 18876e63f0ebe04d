// Compact JWS verification (RFC 7515) against the provider's keys: three base64url parts
// without padding and nothing else, a header whose alg is in the caller's allow-list and
// matches the key's type, no `crit`, a signature that verifies. Only three algorithms exist
// here at all — RS256, ES256, EdDSA — so `none`, the HS* family (the RSA-modulus-as-HMAC-secret
// confusion) and anything else cannot be allowed even by mistake. Header members such as jku,
// jwk, x5u and x5c are ignored: keys come from the KeySet only.
#pragma once

#include "oidc/key_set.hpp"

#include <pse/expected.hpp>

#include <boost/json.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pse::portal::oidc {

enum class Algorithm { rs256, es256, eddsa };

/// The JOSE name: "RS256", "ES256", "EdDSA".
std::string_view to_string(Algorithm algorithm) noexcept;
/// The algorithm of a JOSE name; std::nullopt for every other name.
std::optional<Algorithm> algorithm_named(std::string_view name) noexcept;
/// The type of key each algorithm verifies with.
KeyType key_type_of(Algorithm algorithm) noexcept;

inline constexpr std::array<Algorithm, 3> kDefaultAlgorithms{Algorithm::rs256, Algorithm::es256, Algorithm::eddsa};
inline constexpr std::size_t kMaxJwsBytes = 16 * 1024;

struct VerifiedJws {
  Algorithm algorithm = Algorithm::rs256;
  boost::json::object header;
  std::string payload;  ///< the signed bytes, decoded
};

/// The payload of `token` once its signature holds with a key of `keys` (KeySet::find with the
/// header's kid and the alg's key type). At most kMaxJwsBytes.
Expected<VerifiedJws, std::string> verify_jws(std::string_view token, const KeySet& keys,
                                              std::span<const Algorithm> allowed = kDefaultAlgorithms);

/// ES256 signatures: JWS carries r || s (32 bytes each, RFC 7518 §3.4), OpenSSL wants DER.
/// std::nullopt unless `raw` is 64 bytes.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw);

}  // namespace pse::portal::oidc

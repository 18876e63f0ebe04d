// The relying party's secrets for one sign-in: state, nonce and the PKCE code verifier (RFC
// 7636, method S256), each 32 random bytes from libsodium in base64url; and the one comparison
// used for them, in constant time.
#pragma once

#include <string>
#include <string_view>

namespace pse::portal::oidc {

/// 32 random bytes (256 bits), base64url without padding: 43 characters.
std::string random_token();

struct Pkce {
  std::string verifier;   ///< kept by the portal, sent with the token request
  std::string challenge;  ///< BASE64URL(SHA256(verifier)), sent with the authorization request
};

/// A fresh verifier and its S256 challenge.
Pkce new_pkce();

/// The S256 challenge of `verifier` (RFC 7636 §4.2).
std::string pkce_challenge(std::string_view verifier);

/// Whether two secrets (state, nonce) are equal, in time that depends on neither's content nor
/// length: their SHA-256 hashes are compared with a constant-time compare.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace pse::portal::oidc

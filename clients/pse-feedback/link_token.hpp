// One-time feedback links: `https://…/f/<token>`, the token signed by pse-feedback.
//
// The token is base64url(payload) "." base64url(Ed25519 signature), the payload
// "1|<service>|<transaction>|<expires unix seconds>". Ed25519 (libsodium crypto_sign) rather than
// a MAC so that a body could check a link with the public key alone; only pse-feedback holds the
// secret seed (a 600 file). Verifying never touches the store: "already answered" is the store's
// question, asked after the signature and expiry hold.
#pragma once

#include <pse/expected.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace pse::feedback {

struct LinkClaims {
  std::string service;      ///< a service id of services.yaml: [a-z0-9-], 1–64
  std::string transaction;  ///< the body's transaction id: [A-Za-z0-9._:-], 1–64
  std::int64_t expires_at = 0;  ///< unix seconds
};

enum class TokenError { malformed, bad_signature, expired };
std::string_view to_string(TokenError error) noexcept;

bool valid_service_id(std::string_view id) noexcept;
bool valid_transaction_id(std::string_view id) noexcept;

class LinkSigner {
 public:
  /// Writes a new random seed (hex) to `file`, created with mode 600; refuses to overwrite.
  /// Returns an error message, empty on success.
  static std::string generate_key_file(const std::filesystem::path& file);
  /// Reads the seed; refuses a file that group or others may read. Message on error.
  static Expected<LinkSigner, std::string> load(const std::filesystem::path& file);
  /// For tests: a signer from a known seed.
  explicit LinkSigner(const std::array<unsigned char, 32>& seed);

  std::string issue(const LinkClaims& claims) const;
  Expected<LinkClaims, TokenError> verify(std::string_view token, std::int64_t now) const;

  /// A 32-byte key derived from the seed for another purpose (1: CSRF, 2: transaction keys), so
  /// one secret file holds everything and the purposes never share a key.
  std::array<unsigned char, 32> derive_key(std::uint64_t purpose) const;

 private:
  std::array<unsigned char, 32> seed_{};
  std::array<unsigned char, 32> public_key_{};
  std::array<unsigned char, 64> secret_key_{};
};

/// Keyed hash (hex) of service and transaction: what the store remembers of a used link, so the
/// store never holds the body's transaction ids, which could link an answer to a citizen.
std::string transaction_key(const std::array<unsigned char, 32>& key, const LinkClaims& claims);

/// base64url without padding (libsodium's URL-safe variant).
std::string base64url(const unsigned char* data, std::size_t size);

}  // namespace pse::feedback

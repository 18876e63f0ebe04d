#include "oidc/pkce.hpp"

#include "base/base64.hpp"
#include "base/sha256.hpp"

#include <openssl/crypto.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace pse::portal::oidc {

std::string random_token() {
  // What libsodium documents before its first use; cheap after the first time.
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  std::array<std::uint8_t, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string token = to_base64(bytes, Base64::url);
  sodium_memzero(bytes.data(), bytes.size());
  return token;
}

std::string pkce_challenge(std::string_view verifier) { return to_base64(sha256(verifier), Base64::url); }

Pkce new_pkce() {
  Pkce pkce;
  pkce.verifier = random_token();
  pkce.challenge = pkce_challenge(pkce.verifier);
  return pkce;
}

bool same_secret(std::string_view a, std::string_view b) {
  const Hash first = sha256(a);
  const Hash second = sha256(b);
  return CRYPTO_memcmp(first.data(), second.data(), first.size()) == 0;
}

}  // namespace pse::portal::oidc

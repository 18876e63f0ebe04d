// The token endpoint's JSON answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3): the ID token
// it must carry, a Bearer token type, or the OAuth error (§5.2), reported by its code alone —
// error_description is the provider's free text and may echo what was sent.
#pragma once

#include <pse/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pse::portal::oidc {

struct TokenResponse {
  std::string id_token;      ///< still to be checked with verify_id_token
  std::string access_token;  ///< empty when absent
  std::string token_type;    ///< "Bearer" in any case, or empty when absent
  std::string scope;         ///< empty when absent
  std::int64_t expires_in = 0;  ///< 0 when absent
};

inline constexpr std::size_t kMaxTokenResponseBytes = 64 * 1024;

Expected<TokenResponse, std::string> parse_token_response(std::string_view json);

}  // namespace pse::portal::oidc

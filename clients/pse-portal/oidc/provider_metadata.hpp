// The OpenID provider's discovery document (OpenID Connect Discovery 1.0 §3, read from
// `<issuer>/.well-known/openid-configuration`) and the two requests the relying party builds
// from it: the authorization request's URL (code flow with PKCE S256) and the token request's
// form body with its Basic client credentials (RFC 6749 §4.1.3, §2.3.1). Values are
// percent-encoded with clients/web's percent_encode: unreserved characters as they are, every
// other UTF-8 byte %XX (a space is %20, which form decoders read as a space too).
#pragma once

#include <pse/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace pse::portal::oidc {

struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string end_session_endpoint;  ///< empty when the provider has none
};

inline constexpr std::size_t kMaxMetadataBytes = 64 * 1024;
inline constexpr std::size_t kMaxUrlLength = 2048;

/// Reads the document: its issuer must be `expected_issuer` exactly (Discovery §4.3), every
/// endpoint an https:// URL, and code_challenge_methods_supported, when present, must hold S256.
Expected<ProviderMetadata, std::string> parse_provider_metadata(std::string_view json,
                                                                std::string_view expected_issuer);

/// An absolute https:// URL with a host, no user information and no fragment, of printable
/// ASCII only, at most kMaxUrlLength.
bool is_https_url(std::string_view url) noexcept;

/// The URL to send the citizen's browser to: the authorization endpoint (keeping any query it
/// has) with response_type=code, client_id, redirect_uri, scope, state, nonce, code_challenge
/// and code_challenge_method=S256, every value percent-encoded.
std::string authorization_url(const ProviderMetadata& metadata, std::string_view client_id,
                              std::string_view redirect_uri, std::string_view scope, std::string_view state,
                              std::string_view nonce, std::string_view code_challenge);

/// The token request's body (application/x-www-form-urlencoded): grant_type=authorization_code,
/// code, redirect_uri, code_verifier.
std::string token_request_body(std::string_view code, std::string_view redirect_uri, std::string_view code_verifier);

/// The Authorization header's value for client_secret_basic: "Basic " and the base64 of
/// id ":" secret, each form-urlencoded first (RFC 6749 §2.3.1).
std::string basic_authorization(std::string_view client_id, std::string_view client_secret);

}  // namespace pse::portal::oidc

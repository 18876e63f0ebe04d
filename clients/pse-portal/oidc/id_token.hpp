// The ID token's checks (OpenID Connect Core §3.1.3.7) once its signature holds: the issuer,
// the audience (and azp when there are several), the nonce of this sign-in, the times (exp,
// iat, nbf, and auth_time when a max_age was asked) and the claim carrying the PSE subject id.
// Every check is required: an expectation left empty is an error, never a check skipped.
#pragma once

#include "oidc/jws.hpp"
#include "oidc/key_set.hpp"

#include <pse/expected.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pse::portal::oidc {

struct IdTokenExpectations {
  std::string issuer;        ///< exact match of iss
  std::string client_id;     ///< must be in aud (string or array); if aud has several, azp must equal client_id
  std::string nonce;         ///< exact match (constant-time)
  std::int64_t now = 0;      ///< unix seconds
  std::int64_t leeway = 60;  ///< seconds of clock skew allowed on exp / iat / nbf (0 to 300)
  std::int64_t max_age = 0;  ///< when > 0: auth_time must be present and not older than this
  std::string subject_claim = "sub";  ///< the claim holding the PSE subject id: a string, 1..128 printable ASCII
  /// The signature algorithms accepted; the provider's id_token_signed_response_alg alone is best.
  std::vector<Algorithm> algorithms{kDefaultAlgorithms.begin(), kDefaultAlgorithms.end()};
};

struct IdToken {
  std::string subject;  ///< the value of expectations' subject_claim
  std::string sub;      ///< the provider's own subject identifier
  std::string name;     ///< empty when the token has none
  std::int64_t issued_at = 0, expires_at = 0;
  boost::json::object claims;  ///< every claim, as signed
};

Expected<IdToken, std::string> verify_id_token(std::string_view token, const KeySet& keys,
                                               const IdTokenExpectations& expect);

}  // namespace pse::portal::oidc

// The bodies of the consent registry's write requests (consent_routes.hpp), read strictly: a
// grant or an amendment, a revocation, a mandate. Whether the values make sense (a registered
// organisation, a category of the classification, an expiry in the future) is the registry's
// question; here a body either reads into a request or is malformed_request naming the field.
#pragma once

#include "broker/consent/consent_registry.hpp"

#include <pse/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pse::broker {

/// POST /v1/consents and POST /v1/consents/{id}/amend.
Result<consent::GrantRequest> read_grant_request(std::string_view body);

struct RevokeRequest {
  std::string subject;  ///< the consent's subject, or the mandate's mandator
  std::string method;
  /// A consent's revocation by a mandatary: `given_by: {kind: "mandatary", mandate_id, mandatary}`.
  std::optional<consent::MandataryAct> through;
};

/// POST /v1/consents/{id}/revoke: `subject`, `method`, and `given_by` when a mandatary revokes.
Result<RevokeRequest> read_consent_revoke_request(std::string_view body);

/// POST /v1/mandates/{id}/revoke: `mandator` and `method` (only the mandator revokes a mandate).
Result<RevokeRequest> read_mandate_revoke_request(std::string_view body);

/// POST /v1/mandates.
Result<consent::MandateRequest> read_mandate_request(std::string_view body);

}  // namespace pse::broker

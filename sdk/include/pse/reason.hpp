// pse/reason.hpp — the one vocabulary of outcomes shared by the broker, the SDK and the CLIs.
//
// Every refusal PSE gives carries a stable snake_case reason code. On the wire it is the
// `code` of the error object:
//
//     {"error": {"code": "consent_revoked", "message": "..."}}
//
// Codes are part of the API contract: a code, once published, keeps its meaning and its HTTP
// status. Integrators should branch on `Reason`, never on the human message.
#pragma once

#include <optional>
#include <string_view>

namespace pse {

enum class Reason {
  // Transport and identity (mutual TLS).
  certificate_required,       ///< the client sent no certificate
  certificate_untrusted,      ///< not issued by the platform CA
  certificate_expired,        ///< past its notAfter
  certificate_not_yet_valid,  ///< before its notBefore
  certificate_revoked,        ///< listed in the platform CRL
  certificate_invalid,        ///< any other verification failure (bad signature, bad CRL…)
  identity_missing,           ///< no spiffe://<trust-domain>/org/<id> URI SAN
  unknown_org,                ///< the certificate names an organisation absent from orgs.yaml

  // HTTP request handling.
  malformed_request,
  payload_too_large,
  headers_too_large,
  not_found,
  method_not_allowed,
  request_timeout,
  too_many_connections,
  shutting_down,
  internal_error,

  // Exchange decisions (policy, consent, routing) — used from the policy issue on.
  unknown_category,
  no_rule,
  purpose_not_allowed,
  clearance_insufficient,
  rule_expired,
  consent_missing,
  consent_revoked,
  consent_expired,
  purpose_not_consented,
  mandate_invalid,
  not_consent_authority,
  provider_unavailable,
  provider_timeout,
  unknown_field,        ///< a requested field is not in the category (policy issue)
  field_not_permitted,  ///< a requested field is not among those the rule permits
  record_not_current,   ///< the consent or mandate was revoked or amended since (409)
  overloaded,           ///< a bounded queue is full; retry later (503)
  record_not_found,     ///< the provider holds no record for this subject (404)
  provider_error,       ///< the provider failed or answered something unusable (502)
  not_category_owner,   ///< a connector offered a category another body owns (403)
  rate_limited,

  // The admin listener (the platform operator's tools, never an organisation's).
  host_not_allowed,    ///< the Host header names neither the admin listener nor loopback (403)
  origin_not_allowed,  ///< a request a browser sent from another site (403)
  token_required,      ///< a state-changing admin route without `Authorization: Bearer` (403)
  token_invalid,       ///< a bearer token that is not the admin token, or none configured (403)
  not_operator,        ///< the certificate's organisation lacks the operator role (403)

  // The broker as a whole.
  audit_unavailable,    ///< the broker cannot record in its audit log now, so it answers nothing; retry later (503)
  store_unavailable,    ///< the broker cannot reach its store (consents, queues) now; retry later (503)
  request_in_progress,  ///< another broker of the hub is answering this request id now; retry soon (503)

  // End-to-end encryption (policy obligation end_to_end_encryption).
  encryption_key_missing,  ///< the platform holds no encryption key for the consumer (403)
  decryption_failed,       ///< the SDK could not open the record sealed for you (never sent by the broker)
  /// An event whose subscriber's rule requires end-to-end encryption, and the publisher sent no
  /// copy sealed for it: not delivered (in the audit log only; neither side is told)
  sealing_unavailable,

  // Provider-signed records (categories at or above the classification's signed integrity level).
  integrity_failed,  ///< the record's provider signature is missing, invalid or does not match its fields (502)

  /// In refused_fields only: the rule permits the field, and the provider's record has no value
  /// for it (the field is absent; null is a value).
  field_not_provided,
};

/// The wire spelling of a reason, e.g. "consent_revoked".
std::string_view to_string(Reason reason) noexcept;

/// The HTTP status a reason is answered with (403, 404, 429, 503…).
int http_status(Reason reason) noexcept;

/// A short English description, suitable as the default `message`.
std::string_view describe(Reason reason) noexcept;

/// Parses a wire spelling back; std::nullopt for a code this SDK version does not know.
std::optional<Reason> reason_from_string(std::string_view code) noexcept;

}  // namespace pse

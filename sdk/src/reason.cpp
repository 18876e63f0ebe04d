#include <pse/reason.hpp>

#include <array>

namespace pse {
namespace {

struct ReasonInfo {
  Reason reason;
  std::string_view code;
  int status;
  std::string_view description;
};

// One row per enumerator, in declaration order (a test round-trips every code).
constexpr std::array kReasons = {
    ReasonInfo{Reason::certificate_required, "certificate_required", 401, "a client certificate is required"},
    ReasonInfo{Reason::certificate_untrusted, "certificate_untrusted", 401, "the certificate was not issued by the platform CA"},
    ReasonInfo{Reason::certificate_expired, "certificate_expired", 401, "the certificate has expired"},
    ReasonInfo{Reason::certificate_not_yet_valid, "certificate_not_yet_valid", 401, "the certificate is not valid yet"},
    ReasonInfo{Reason::certificate_revoked, "certificate_revoked", 401, "the certificate has been revoked"},
    ReasonInfo{Reason::certificate_invalid, "certificate_invalid", 401, "the certificate failed verification"},
    ReasonInfo{Reason::identity_missing, "identity_missing", 403, "the certificate carries no organisation identity"},
    ReasonInfo{Reason::unknown_org, "unknown_org", 403, "the organisation is not registered on the platform"},
    ReasonInfo{Reason::malformed_request, "malformed_request", 400, "the request is malformed"},
    ReasonInfo{Reason::payload_too_large, "payload_too_large", 413, "the request body is too large"},
    ReasonInfo{Reason::headers_too_large, "headers_too_large", 431, "the request headers are too large"},
    ReasonInfo{Reason::not_found, "not_found", 404, "no such resource"},
    ReasonInfo{Reason::method_not_allowed, "method_not_allowed", 405, "method not allowed on this resource"},
    ReasonInfo{Reason::request_timeout, "request_timeout", 408, "the request was not received in time"},
    ReasonInfo{Reason::too_many_connections, "too_many_connections", 503, "the broker is at its connection limit"},
    ReasonInfo{Reason::shutting_down, "shutting_down", 503, "the broker is shutting down"},
    ReasonInfo{Reason::internal_error, "internal_error", 500, "internal error"},
    ReasonInfo{Reason::unknown_category, "unknown_category", 400, "the data category is not in the classification"},
    ReasonInfo{Reason::no_rule, "no_rule", 403, "no policy rule allows this exchange"},
    ReasonInfo{Reason::purpose_not_allowed, "purpose_not_allowed", 403, "the purpose is not allowed by the rule"},
    ReasonInfo{Reason::clearance_insufficient, "clearance_insufficient", 403, "the recipient's clearance is below the data's confidentiality"},
    ReasonInfo{Reason::rule_expired, "rule_expired", 403, "the rule is outside its validity period"},
    ReasonInfo{Reason::consent_missing, "consent_missing", 403, "no consent covers this exchange"},
    ReasonInfo{Reason::consent_revoked, "consent_revoked", 403, "the consent has been revoked"},
    ReasonInfo{Reason::consent_expired, "consent_expired", 403, "the consent has expired"},
    ReasonInfo{Reason::purpose_not_consented, "purpose_not_consented", 403, "the citizen did not consent to this purpose"},
    ReasonInfo{Reason::mandate_invalid, "mandate_invalid", 403, "the mandate is not valid for this consent"},
    ReasonInfo{Reason::not_consent_authority, "not_consent_authority", 403, "only a consent authority may do this"},
    ReasonInfo{Reason::provider_unavailable, "provider_unavailable", 503, "the provider is not connected"},
    ReasonInfo{Reason::provider_timeout, "provider_timeout", 504, "the provider did not answer in time"},
    ReasonInfo{Reason::unknown_field, "unknown_field", 400, "a requested field is not part of the data category"},
    ReasonInfo{Reason::field_not_permitted, "field_not_permitted", 403, "the rule does not permit this field for this purpose"},
    ReasonInfo{Reason::record_not_current, "record_not_current", 409, "the record was revoked or amended; act on its latest version"},
    ReasonInfo{Reason::overloaded, "overloaded", 503, "the broker is busy; retry later"},
    ReasonInfo{Reason::record_not_found, "record_not_found", 404, "the provider holds no record for this subject"},
    ReasonInfo{Reason::provider_error, "provider_error", 502, "the provider failed to answer usably"},
    ReasonInfo{Reason::not_category_owner, "not_category_owner", 403, "the category belongs to another body"},
    ReasonInfo{Reason::rate_limited, "rate_limited", 429, "rate limit exceeded"},
    ReasonInfo{Reason::host_not_allowed, "host_not_allowed", 403, "the Host header does not name the admin listener"},
    ReasonInfo{Reason::origin_not_allowed, "origin_not_allowed", 403, "cross-site requests are refused"},
    ReasonInfo{Reason::token_required, "token_required", 403, "this route needs the admin bearer token"},
    ReasonInfo{Reason::token_invalid, "token_invalid", 403, "the bearer token is not valid"},
    ReasonInfo{Reason::not_operator, "not_operator", 403, "only an organisation with the operator role may do this"},
    ReasonInfo{Reason::audit_unavailable, "audit_unavailable", 503, "the audit log cannot record now; retry later"},
    ReasonInfo{Reason::store_unavailable, "store_unavailable", 503, "the broker cannot reach its store now; retry later"},
    ReasonInfo{Reason::request_in_progress, "request_in_progress", 503,
               "another broker is answering this request id now; retry soon"},
    ReasonInfo{Reason::encryption_key_missing, "encryption_key_missing", 403,
               "the rule requires end-to-end encryption and no encryption key is registered for the consumer"},
    ReasonInfo{Reason::decryption_failed, "decryption_failed", 502,
               "the record sealed for you could not be opened with your encryption key"},
    ReasonInfo{Reason::sealing_unavailable, "sealing_unavailable", 403,
               "the rule requires end-to-end encryption and the publisher sealed no copy for this subscriber"},
    ReasonInfo{Reason::integrity_failed, "integrity_failed", 502,
               "the provider's signature over the record is missing, invalid or does not match its fields"},
    ReasonInfo{Reason::field_not_provided, "field_not_provided", 404, "the provider's record has no value for this field"},
};

static_assert(kReasons.size() == static_cast<std::size_t>(Reason::field_not_provided) + 1,
              "every Reason needs a row");

constexpr const ReasonInfo& info(Reason reason) noexcept {
  return kReasons[static_cast<std::size_t>(reason)];
}

}  // namespace

std::string_view to_string(Reason reason) noexcept { return info(reason).code; }
int http_status(Reason reason) noexcept { return info(reason).status; }
std::string_view describe(Reason reason) noexcept { return info(reason).description; }

std::optional<Reason> reason_from_string(std::string_view code) noexcept {
  for (const auto& row : kReasons) {
    if (row.code == code) return row.reason;
  }
  return std::nullopt;
}

}  // namespace pse

// Consent receipts: what the citizen keeps as proof of what they agreed to, or revoked.
//
// A receipt is a JSON document with the fields of the Kantara Initiative Consent Receipt
// Specification (v1.1), plus a "pse" object with the registry's own record, signed by the
// platform's Ed25519 key as a JWS in compact form (RFC 7515, "alg":"EdDSA", RFC 8037):
//
//     base64url(header) "." base64url(receipt JSON) "." base64url(signature)
//
// Anyone holding the platform's public key (audit-signing.pub) can verify it offline with
// `pse-receipt verify`, or any JOSE library that supports EdDSA.
#pragma once

#include "audit/audit_keys.hpp"
#include "broker/consent/consent_record.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::consent {

/// What happened to the record the receipt is about.
enum class ReceiptEvent { granted, amended, revoked, mandate_granted, mandate_revoked };
std::string_view to_string(ReceiptEvent event) noexcept;

/// The clear subject id goes into the receipt (piiPrincipalId) — it is handed back to the
/// consent authority that already knows it — but is never stored by the registry.
/// `obligations` (wire spellings) are those of the rules the consent's exchanges fall under
/// (rule_obligations.hpp); the receipt lists each with its words in French and English.
std::string consent_receipt(const Consent& consent, std::string_view subject_id, ReceiptEvent event,
                            Instant issued_at, const audit::SigningKey& key,
                            const std::vector<std::string>& obligations = {});
std::string mandate_receipt(const Mandate& mandate, std::string_view mandator_id, ReceiptEvent event,
                            Instant issued_at, const audit::SigningKey& key);

/// The receipt's JSON payload when the signature is valid for `key`; std::nullopt when the
/// text is not a compact JWS, the algorithm is not EdDSA, or anything was altered.
std::optional<std::string> verify_receipt(std::string_view jws, const audit::PublicKey& key);

}  // namespace pse::consent

// Reads of the consent registry, as audit entries.
//
// A consent authority can read any citizen's consents, mandates and the history of who received
// their information (GET /v1/consents?subject=, /v1/consents/{id}, /v1/subjects/{s}/consents,
// /v1/subjects/{s}/mandates, /v1/subjects/{s}/accesses and the inclusion proof of one entry of
// that history, /v1/subjects/{s}/accesses/{seq}/proof). Each read that discloses something
// is an entry of the same log, durable before the answer, in the same encoding as an
// exchange — so `pse-audit verify` reads old and new logs alike — told apart by a reserved
// category that no classification category can take (':' is not allowed in category ids):
//
//   category   "pse:consent-registry"
//   consumer   the organisation that read;  provider "pse" (the platform holds the registry)
//   purpose    what was read: read_consents (a subject's list), read_consent (one, by id),
//              read_mandates (the mandates the subject gave or received), read_accesses (the
//              subject's history of communications), read_proof (the inclusion proof of one
//              entry of that history)
//   permitted_fields  what was disclosed: the ids of the consents or mandates; for read_proof,
//              the proven entry's seq (decimal); none for read_accesses
//   payload_hash      SHA-256 of the answer sent;  decision allow;  basis none
//
// docs/decisions/audit.md gives the reasons for this choice over a new entry field.
#pragma once

#include "audit/audit_entry.hpp"

#include <optional>
#include <string_view>

namespace pse::audit {

inline constexpr std::string_view kRegistryCategory = "pse:consent-registry";
inline constexpr std::string_view kRegistryHolder = "pse";

enum class RegistryRead { consents, consent, accesses, mandates, proof };

/// The purpose recorded for each kind of read.
std::string_view to_purpose(RegistryRead read) noexcept;

/// The kind of read an entry records; nullopt for an exchange or a publish.
std::optional<RegistryRead> registry_read_of(const AuditEntry& entry) noexcept;

}  // namespace pse::audit

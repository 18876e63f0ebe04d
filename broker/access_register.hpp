// The citizen's register, read from the audit log for GET /v1/subjects/{subject}/accesses and
// the inclusion proof of one of its entries (…/accesses/{audit_seq}/proof): what
// consent_routes.hpp answers, once the read itself is audited.
//
// An entry is in a subject's register when it carries the subject's keyed hash. Every entry
// does: an exchange or a publish, allowed or refused, is appended with its subject
// (exchange_pipeline, publish_pipeline), and the subject index holds every entry whatever its
// decision (audit/subject_index.hpp). So the register lists:
//   communication   an allowed exchange or delivery of the subject's information
//   refusal         a request or delivery about the subject that was refused, with its reason
//   registry_read   a consent authority's read of the registry about the subject
//                   (audit/registry_read.hpp)
#pragma once

#include "audit/audit_keys.hpp"
#include "audit/audit_store.hpp"
#include "base/sha256.hpp"
#include "broker/http_target.hpp"
#include "broker/http_types.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace pse::broker {

/// {"accesses": [...]} of `subject`, oldest first; the query may hold since, until (UTC date
/// or time) and limit (1-10000, default 1000): anything else is 400 malformed_request.
HttpResponse access_list(audit::AuditStore& log, const pse::Hash& subject, const Target& target);

/// The audit_seq of a proof's path: decimal digits that fit 64 bits, else std::nullopt.
std::optional<std::uint64_t> read_audit_seq(std::string_view text);

/// The inclusion proof document (audit/inclusion_proof_document.hpp) of entry `seq`, against
/// the log's latest signed tree head, when that entry is about `subject`. 404 not_found, with
/// the same body, when there is no such entry, when no signed head covers it yet, and when it is
/// another subject's: the answer says nothing of other people's entries, not even that they
/// exist. `signer` is named in the document by its key id.
HttpResponse access_proof(audit::AuditStore& log, const audit::PublicKey& signer, const pse::Hash& subject,
                          std::uint64_t seq);

}  // namespace pse::broker

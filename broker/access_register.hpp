// The citizen's register, read from the audit log for GET /v1/subjects/{subject}/accesses: what
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

#include "audit/audit_store.hpp"
#include "base/sha256.hpp"
#include "broker/http_target.hpp"
#include "broker/http_types.hpp"

namespace pse::broker {

/// {"accesses": [...]} of `subject`, oldest first; the query may hold since, until (UTC date
/// or time) and limit (1-10000, default 1000): anything else is 400 malformed_request.
HttpResponse access_list(audit::AuditStore& log, const pse::Hash& subject, const Target& target);

}  // namespace pse::broker

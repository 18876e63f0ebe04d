// The consent registry's HTTP endpoints, served to consent authorities only:
//
//   POST /v1/consents                      grant            → 201 {consent, receipt}
//   GET  /v1/consents?subject=S            list a subject's consents (every version)
//   GET  /v1/consents/{id}                 read one
//   POST /v1/consents/{id}/amend           new version      → 201 {consent, receipt}
//   POST /v1/consents/{id}/revoke          revoke           → 200 {consent, receipt}
//   POST /v1/mandates                      grant a mandate  → 201 {mandate, receipt}
//   POST /v1/mandates/{id}/revoke          revoke a mandate → 200 {mandate, receipt}
//   GET  /v1/subjects/{subject}/consents   the citizen's view of their consents
//   GET  /v1/subjects/{subject}/mandates   the mandates the citizen gave and received
//   GET  /v1/subjects/{subject}/accesses   the citizen's view of who received their information
//                                          (exchanges and deliveries in the audit log, allowed
//                                          or refused, and reads of this registry about them;
//                                          ?since=&until=&limit=; access_register.hpp)
//   GET  /v1/subjects/{subject}/accesses/{audit_seq}/proof
//                                          the inclusion proof of one entry of that register
//
// Any other organisation gets 403 not_consent_authority; bad bodies get 400 malformed_request
// naming the field. A delegate consents or revokes for the citizen by naming the mandate and
// themself (given_by kind mandatary); outside what the mandate allows, 403 mandate_invalid.
//
// Every read that discloses something (the GETs) is audited before it is answered, as
// for an exchange: an entry naming the reader, the subject's keyed hash and what was read
// (audit/registry_read.hpp), durable before the answer leaves. If the audit log cannot
// take it, nothing is disclosed (503 audit_unavailable, 503 overloaded, or 429 rate_limited
// when the reader's organisation holds its whole share of the log's queue).
#pragma once

#include "audit/audit_store.hpp"
#include "audit/registry_read.hpp"
#include "broker/consent/consent_registry.hpp"
#include "broker/http_target.hpp"
#include "broker/http_types.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pse::audit {
class AuditLog;
}

namespace pse::broker {

class ConsentRoutes {
 public:
  using Clock = std::function<policy::Instant()>;
  /// `audit_log` records the reads; `audit_reader` is a read-only view of the same log, used
  /// only from the calling thread.
  ConsentRoutes(consent::ConsentRegistry& registry, audit::AuditLog& audit_log, audit::AuditStore& audit_reader,
                Clock clock);

  /// Whether `target` is one of these routes (the rest of the API answers otherwise).
  static bool serves(const Target& target);

  /// Runs the request; it reads and writes the store, so call it off the I/O threads. A read
  /// is answered from the audit log's writer thread, once its entry is durable.
  void handle(const policy::Organisation& caller, const HttpRequest& request, const Target& target, Respond respond);

 private:
  /// What a read found, before it is audited and answered.
  struct Disclosure {
    HttpResponse answer;  ///< sent only once the read is audited; anything but 200 discloses nothing
    audit::RegistryRead what = audit::RegistryRead::consents;
    pse::Hash subject{};
    std::vector<std::string> disclosed;  ///< the ids of the records disclosed (audit/registry_read.hpp)
  };

  HttpResponse route(const policy::Organisation& caller, const HttpRequest& request, const Target& target,
                     std::optional<Disclosure>& read);
  void audit_then_answer(const policy::Organisation& caller, Disclosure read, Respond respond);
  HttpResponse grant(const policy::Organisation& caller, const HttpRequest& request);
  HttpResponse amend(const policy::Organisation& caller, const std::string& id, const HttpRequest& request);
  HttpResponse revoke(const policy::Organisation& caller, const std::string& id, const HttpRequest& request);
  Disclosure list(const std::string& subject);
  Disclosure read(const std::string& id);
  Disclosure mandates(const std::string& subject, const Target& target);
  Disclosure accesses(const std::string& subject, const Target& target);
  Disclosure proof(const std::string& subject, const std::string& audit_seq, const Target& target);
  HttpResponse grant_mandate(const policy::Organisation& caller, const HttpRequest& request);
  HttpResponse revoke_mandate(const policy::Organisation& caller, const std::string& id, const HttpRequest& request);

  consent::ConsentRegistry& registry_;
  audit::AuditLog& audit_log_;
  audit::AuditStore& audit_reader_;
  Clock clock_;
};

}  // namespace pse::broker

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
//   GET  /v1/subjects/{subject}/accesses   the citizen's view of who received their information
//                                          (allowed exchanges in the audit log; ?since=&until=&limit=)
//
// Any other organisation gets 403 not_consent_authority; bad bodies get 400 malformed_request
// naming the field.
#pragma once

#include "broker/audit/audit_store.hpp"
#include "broker/consent/consent_registry.hpp"
#include "broker/http_target.hpp"
#include "broker/http_types.hpp"

#include <functional>
#include <optional>

namespace pse::broker {

class ConsentRoutes {
 public:
  using Clock = std::function<policy::Instant()>;
  /// `audit_reader` is a read-only view of the audit log, used only from the calling thread.
  ConsentRoutes(consent::ConsentRegistry& registry, audit::AuditStore& audit_reader, Clock clock);

  /// Whether `target` is one of these routes (the rest of the API answers otherwise).
  static bool serves(const Target& target);

  /// Runs the request; it reads and writes the store, so call it off the I/O threads.
  HttpResponse handle(const policy::Organisation& caller, const HttpRequest& request, const Target& target);

 private:
  HttpResponse grant(const policy::Organisation& caller, const HttpRequest& request);
  HttpResponse amend(const policy::Organisation& caller, const std::string& id, const HttpRequest& request);
  HttpResponse revoke(const policy::Organisation& caller, const std::string& id, const HttpRequest& request);
  HttpResponse list(const std::string& subject);
  HttpResponse read(const std::string& id);
  HttpResponse accesses(const std::string& subject, const Target& target);
  HttpResponse grant_mandate(const policy::Organisation& caller, const HttpRequest& request);
  HttpResponse revoke_mandate(const policy::Organisation& caller, const std::string& id, const HttpRequest& request);

  consent::ConsentRegistry& registry_;
  audit::AuditStore& audit_reader_;
  Clock clock_;
};

}  // namespace pse::broker

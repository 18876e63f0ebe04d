#include "broker/audit_health.hpp"

namespace pse::broker {

Reason audit_refusal_reason(audit::AuditErrorCode code) noexcept {
  switch (code) {
    case audit::AuditErrorCode::store_failed: return Reason::audit_unavailable;
    case audit::AuditErrorCode::overloaded: return Reason::overloaded;
    case audit::AuditErrorCode::share_exceeded: return Reason::rate_limited;
    case audit::AuditErrorCode::closed: return Reason::shutting_down;
    default: return Reason::internal_error;
  }
}

std::string audit_health_metrics(const audit::AuditHealth& health) {
  return "# HELP pse_audit_available 1 while the audit log commits, 0 while it cannot (every exchange is refused).\n"
         "# TYPE pse_audit_available gauge\n"
         "pse_audit_available " +
         std::string(health.available ? "1" : "0") +
         "\n"
         "# HELP pse_audit_commit_failures_total Audit log commits that failed, retries while unavailable included.\n"
         "# TYPE pse_audit_commit_failures_total counter\n"
         "pse_audit_commit_failures_total " +
         std::to_string(health.commit_failures) + "\n";
}

}  // namespace pse::broker

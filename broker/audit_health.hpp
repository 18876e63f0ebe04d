// How the broker shows the state of its audit log: the reason code of a request the log
// refused, and the metrics. Nothing leaves without a durable entry, so a refused entry means
// a refused request; the reason tells the caller whether waiting helps and why.
// (Readiness follows AuditLog::health() too: broker/admin/admin_routes.hpp.)
#pragma once

#include "audit/audit_log.hpp"
#include "audit/result.hpp"

#include <pse/reason.hpp>

#include <string>

namespace pse::broker {

/// store_failed → audit_unavailable (the log cannot commit: the broker is not ready either),
/// overloaded → overloaded, share_exceeded → rate_limited (the caller's organisation holds its
/// whole share of the log's queue: admission/org_admission.hpp), closed → shutting_down,
/// anything else → internal_error.
Reason audit_refusal_reason(audit::AuditErrorCode code) noexcept;

/// pse_audit_available (1/0) and pse_audit_commit_failures_total, in the Prometheus text format.
std::string audit_health_metrics(const audit::AuditHealth& health);

}  // namespace pse::broker

// The admin listener's endpoints: liveness, readiness and Prometheus metrics, for the platform
// operator's probes and scrapers. Who may reach them is AdminGate's business (admin_gate.hpp).
#pragma once

#include "broker/http_types.hpp"
#include "broker/metrics.hpp"

namespace pse::broker {

/// The admin listener's paths, all GET (checked against docs/api/openapi.yaml by a test).
inline constexpr std::string_view kAdminPaths[] = {"/healthz", "/readyz", "/metrics"};

/// GET /healthz (alive), GET /readyz (503 while draining, and while the audit log cannot
/// commit: such a broker refuses every exchange), GET /metrics (Prometheus text).
HttpResponse admin_response(const HttpRequest& request, const Metrics& metrics, bool ready,
                            bool audit_available = true);

}  // namespace pse::broker

#include "broker/admin/admin_routes.hpp"

namespace pse::broker {

HttpResponse admin_response(const HttpRequest& request, const Metrics& metrics, bool ready, bool audit_available) {
  const std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  const bool known = path == "/healthz" || path == "/readyz" || path == "/metrics";
  if (!known) return error_response(Reason::not_found);
  if (request.method != "GET") return error_response(Reason::method_not_allowed);
  if (path == "/healthz") return {200, "application/json", R"({"status":"ok"})"};
  if (path == "/readyz") {
    if (!ready) return {503, "application/json", R"({"status":"draining"})"};
    if (!audit_available) return {503, "application/json", R"({"status":"audit_unavailable"})"};
    return {200, "application/json", R"({"status":"ready"})"};
  }
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.render_prometheus()};
}

}  // namespace pse::broker

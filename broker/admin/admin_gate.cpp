#include "broker/admin/admin_gate.hpp"

#include <algorithm>
#include <charconv>

namespace pse::broker {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// "Bearer <token>" (the scheme is case-insensitive, RFC 9110 §11.1) → <token>.
std::optional<std::string_view> bearer_token(std::string_view value) {
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size() || lowercase(value.substr(0, scheme.size())) != scheme) return std::nullopt;
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty() || value.find(' ') != std::string_view::npos) return std::nullopt;
  return value;
}

bool is_safe_method(std::string_view method) { return method == "GET" || method == "HEAD"; }

}  // namespace

AdminGate::AdminGate(const Endpoint& endpoint, const AdminAccess& access, const Limits& limits)
    : mtls_(access.mtls),
      port_(endpoint.port),
      max_connections_(access.max_connections),
      limits_(limits),
      token_(access.token_file),
      host_names_{"localhost", "127.0.0.1", "[::1]"} {
  limits_.body_bytes = std::min<std::uint64_t>(limits_.body_bytes, 4096);
  const bool ipv6 = endpoint.address.find(':') != std::string::npos;
  host_names_.push_back(lowercase(ipv6 ? "[" + endpoint.address + "]" : endpoint.address));
  token_.check_file();
}

std::optional<AdminGate::Slot> AdminGate::admit() {
  if (open_.fetch_add(1, std::memory_order_relaxed) >= static_cast<std::int64_t>(max_connections_)) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    refused_connections_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  return Slot(open_);
}

// "name[:port]", IPv6 in brackets. Without a port, the scheme's default must be ours.
bool AdminGate::names_this_listener(std::string_view authority) const {
  std::string_view name = authority;
  std::optional<std::string_view> port;
  const std::size_t name_end = authority.starts_with('[') ? authority.find(']') : authority.find(':');
  if (authority.starts_with('[')) {
    if (name_end == std::string_view::npos) return false;
    name = authority.substr(0, name_end + 1);
    const std::string_view rest = authority.substr(name_end + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else if (name_end != std::string_view::npos) {
    name = authority.substr(0, name_end);
    port = authority.substr(name_end + 1);
  }
  if (port) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (port->empty() || error != std::errc{} || end != port->data() + port->size() || value != port_) return false;
  } else if (port_ != (mtls_ ? 443 : 80)) {
    return false;
  }
  return std::find(host_names_.begin(), host_names_.end(), lowercase(name)) != host_names_.end();
}

bool AdminGate::is_same_origin(std::string_view origin) const {
  const std::string_view scheme = mtls_ ? "https://" : "http://";
  if (!origin.starts_with(scheme)) return false;
  const std::string_view authority = origin.substr(scheme.size());
  return authority.find('/') == std::string_view::npos && names_this_listener(authority);
}

std::optional<HttpResponse> AdminGate::check(const HttpRequest& request, const AdminHeaders& headers) {
  if (!headers.host || !names_this_listener(*headers.host)) {
    return refuse(Reason::host_not_allowed, "the Host header must name this listener (its address, localhost, "
                                            "127.0.0.1 or [::1], and its port)");
  }
  // Browsers send Origin on cross-site POSTs and Sec-Fetch-Site on every request; the
  // operator's tools (curl, Prometheus) send neither.
  if (headers.origin && !is_same_origin(*headers.origin)) {
    return refuse(Reason::origin_not_allowed, "requests from another origin are refused");
  }
  if (headers.fetch_site && *headers.fetch_site != "same-origin" && *headers.fetch_site != "none") {
    return refuse(Reason::origin_not_allowed, "requests from another site are refused");
  }
  if (!is_safe_method(request.method)) {
    if (!token_.configured()) {
      return refuse(Reason::token_invalid, "no admin.token_file is configured: state-changing admin routes are off");
    }
    if (!headers.authorization) {
      return refuse(Reason::token_required, "this route needs Authorization: Bearer <admin token>");
    }
    const auto token = bearer_token(*headers.authorization);
    if (!token || !token_.matches(*token)) return refuse(Reason::token_invalid, "the bearer token is not the admin token");
  }
  return std::nullopt;
}

HttpResponse AdminGate::refuse_not_operator(std::string_view who) {
  return refuse(Reason::not_operator, who.empty() ? "the certificate names no organisation of the platform"
                                                  : "organisation '" + std::string(who) +
                                                        "' does not hold the operator role (orgs.yaml)");
}

HttpResponse AdminGate::refuse(Reason reason, std::string_view message) {
  const auto index = static_cast<std::size_t>(std::find(kRefusals.begin(), kRefusals.end(), reason) - kRefusals.begin());
  refusals_[index].fetch_add(1, std::memory_order_relaxed);
  return error_response(reason, message);
}

std::string AdminGate::prometheus() const {
  std::string out;
  auto line = [&out](std::string_view text) {
    out += text;
    out += '\n';
  };
  line("# HELP pse_admin_connections_open Connections open on the admin listener.");
  line("# TYPE pse_admin_connections_open gauge");
  line("pse_admin_connections_open " + std::to_string(open_.load(std::memory_order_relaxed)));
  line("# HELP pse_admin_connections_refused_total Admin connections closed at once: admin.max_connections reached.");
  line("# TYPE pse_admin_connections_refused_total counter");
  line("pse_admin_connections_refused_total " + std::to_string(refused_connections_.load(std::memory_order_relaxed)));
  line("# HELP pse_admin_handshake_failures_total Failed TLS handshakes on the admin listener (admin.mtls).");
  line("# TYPE pse_admin_handshake_failures_total counter");
  line("pse_admin_handshake_failures_total " + std::to_string(handshake_failures_.load(std::memory_order_relaxed)));
  line("# HELP pse_admin_requests_refused_total Admin requests refused, by reason.");
  line("# TYPE pse_admin_requests_refused_total counter");
  for (std::size_t i = 0; i < kRefusals.size(); ++i) {
    line("pse_admin_requests_refused_total{reason=\"" + std::string(to_string(kRefusals[i])) + "\"} " +
         std::to_string(refusals_[i].load(std::memory_order_relaxed)));
  }
  return out;
}

}  // namespace pse::broker

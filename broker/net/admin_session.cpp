#include "broker/net/admin_session.hpp"

#include "base/log.hpp"
#include "broker/admin/admin_routes.hpp"
#include "broker/net/peer_identity.hpp"

#include <boost/asio/dispatch.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace pse::broker {
namespace asio = boost::asio;

namespace {

std::string peer_address(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

AdminHeaders admin_headers(const http::fields& fields) {
  auto one = [&fields](http::field name) -> std::optional<std::string_view> {
    const auto count = fields.count(name);
    if (count == 0) return std::nullopt;
    if (count > 1) return std::string_view{};  // repeated: empty, which no check accepts
    return std::string_view(fields.at(name));
  };
  return {one(http::field::host), one(http::field::origin), one(http::field::sec_fetch_site),
          one(http::field::authorization)};
}

// The routes behind the gate: the dead-letter queue, then /healthz, /readyz and /metrics.
// What changes state is logged with who asked (`who`: the peer, and the organisation over mTLS).
HttpResponse admin_answer(const HttpRequest& request, ServerState& state, std::string_view who) {
  if (request.method != "GET" && request.method != "HEAD") {
    log::info("admin request", {{"method", request.method}, {"target", request.target}, {"by", who}});
  }
  if (state.admin_extension) {
    if (auto response = state.admin_extension(request)) return std::move(*response);
  }
  const bool audit_available = !state.audit_available || state.audit_available();
  return admin_response(request, state.metrics, !state.draining.load(), audit_available);
}

// At capacity, say so in one write (a fresh socket's buffer always takes it) and close.
void refuse_at_capacity(asio::ip::tcp::socket& socket, bool mtls) {
  beast::error_code ignored;
  if (!mtls) {
    const HttpResponse refusal = error_response(Reason::too_many_connections, "the admin listener is at admin.max_connections");
    const std::string text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                             "Content-Length: " + std::to_string(refusal.body.size()) + "\r\n\r\n" + refusal.body;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(text), ignored);
    socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
  socket.close(ignored);
}

}  // namespace

void accept_admin_connection(asio::ip::tcp::socket socket, ServerState& state, AdminGate& gate) {
  auto slot = gate.admit();
  if (!slot) return refuse_at_capacity(socket, gate.mtls());
  if (gate.mtls()) {
    std::make_shared<AdminTlsSession>(std::move(socket), state, gate, std::move(*slot))->start();
  } else {
    std::make_shared<AdminSession>(std::move(socket), state, gate, std::move(*slot))->start();
  }
}

AdminSession::AdminSession(asio::ip::tcp::socket&& socket, ServerState& state, AdminGate& gate, AdminGate::Slot slot)
    : HttpConnection(gate.limits()), state_(state), gate_(gate), slot_(std::move(slot)), stream_(std::move(socket)) {}

void AdminSession::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void AdminSession::handle(HttpRequest request, const http::fields& headers) {
  if (auto refusal = gate_.check(request, admin_headers(headers))) return send(std::move(*refusal));
  send(admin_answer(request, state_, peer_address(stream_.socket())));
}

void AdminSession::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

AdminTlsSession::AdminTlsSession(asio::ip::tcp::socket&& socket, ServerState& state, AdminGate& gate,
                                 AdminGate::Slot slot)
    : HttpConnection(gate.limits()),
      state_(state),
      gate_(gate),
      slot_(std::move(slot)),
      tls_context_(state.tls_context()),
      stream_(std::move(socket), *tls_context_),
      peer_address_(peer_address(beast::get_lowest_layer(stream_).socket())) {}

void AdminTlsSession::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_).expires_after(self->state_.limits.handshake_timeout);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

// The identity comes from the peer certificate OpenSSL verified (chain to the platform CA, CRL),
// read after the handshake, so that a resumed session carries it too.
void AdminTlsSession::on_handshake(beast::error_code ec) {
  const std::string_view problem = ec ? "tls_handshake" : certificate_problem();
  if (!problem.empty()) {
    gate_.handshake_failed();
    log::info("admin handshake refused", {{"reason", problem}, {"peer", peer_address_},
                                          {"detail", ec ? ec.message() : std::string()}});
    if (!ec) close();
    return;  // otherwise dropping the last reference closes the socket
  }
  org_id_ = spiffe_org_id(SSL_get0_peer_certificate(stream_.native_handle()), state_.trust_domain).value_or("");
  read_request();
}

// Empty when the peer certificate still passes: verified, an organisation's leaf, and — when
// the session was resumed or the TLS material reloaded since — not revoked by the CRL in force.
std::string_view AdminTlsSession::certificate_problem() {
  SSL* ssl = stream_.native_handle();
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return "certificate_required";
  if (SSL_get_verify_result(ssl) != X509_V_OK) return "certificate_invalid";
  if (const std::string_view problem = leaf_profile_problem(leaf); !problem.empty()) return problem;
  const auto current = state_.tls_context();
  if (SSL_session_reused(ssl) == 1 || current != tls_context_) {
    return verify_against_store(leaf, SSL_CTX_get_cert_store(current->native_handle()));
  }
  return {};
}

void AdminTlsSession::handle(HttpRequest request, const http::fields& headers) {
  // A certificate revoked while this connection was open ends it.
  if (const std::string_view problem = certificate_problem(); !problem.empty()) {
    log::info("admin connection closed", {{"reason", problem}, {"org", org_id_}, {"peer", peer_address_}});
    return close();
  }
  // The role is looked up in the organisations in force now: a reload that takes it away
  // applies to the next request.
  const auto policies = state_.policies->snapshot();
  const policy::Organisation* org = org_id_.empty() ? nullptr : policies->organisations().find(org_id_);
  if (org == nullptr || !org->has_role(policy::Role::platform_operator)) {
    refused_ = true;
    log::info("admin request refused: not an operator", {{"org", org_id_}, {"peer", peer_address_}});
    return send(gate_.refuse_not_operator(org == nullptr ? "" : org_id_));
  }
  if (auto refusal = gate_.check(request, admin_headers(headers))) return send(std::move(*refusal));
  send(admin_answer(request, state_, org_id_ + "@" + peer_address_));
}

void AdminTlsSession::close() {
  if (closing_) return;
  closing_ = true;
  // A TLS close_notify, bounded in time: a peer that never answers cannot hold us.
  lowest_layer().expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().close(ignored);
  });
}

}  // namespace pse::broker

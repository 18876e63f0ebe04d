#include "broker/net/https_session.hpp"

#include "base/log.hpp"
#include "broker/net/connector_session.hpp"
#include "broker/net/peer_identity.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace pse::broker {
namespace asio = boost::asio;

HttpsSession::HttpsSession(asio::ip::tcp::socket&& socket, ServerState& state, ConnectionBudget::Slot handshake_slot)
    : HttpConnection(state.limits),
      state_(state),
      tls_context_(state.tls_context()),
      policies_(state.policies->snapshot()),
      stream_(std::move(socket), *tls_context_),
      lifetime_timer_(stream_.get_executor()),
      slot_(std::move(handshake_slot)) {
  beast::error_code ec;
  auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
  if (!ec) peer_address_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  state_.metrics.connection_accepted();
}

HttpsSession::~HttpsSession() {
  state_.sessions.remove(this);
  state_.metrics.connection_closed();
}

void HttpsSession::start() {
  std::weak_ptr<HttpsSession> weak = weak_from_this();
  auto on_strand = [weak](void (HttpsSession::*step)()) {
    return [weak, step] {
      if (auto self = weak.lock()) asio::post(self->stream_.get_executor(), [self, step] { ((*self).*step)(); });
    };
  };
  state_.sessions.add(this, {on_strand(&HttpsSession::drain), on_strand(&HttpsSession::recheck)});
  stream_.set_verify_callback([this](bool preverified, asio::ssl::verify_context& context) {
    return verify_peer(preverified, context.native_handle());
  });
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_).expires_after(self->state_.limits.handshake_timeout);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

// Called by OpenSSL for each certificate of the client's chain, root first, on a full
// handshake (a resumed one skips it). Refusing here ends the handshake with an alert, so a
// bad certificate never reaches the HTTP layer; the identity itself is taken afterwards.
bool HttpsSession::verify_peer(bool preverified, X509_STORE_CTX* store) {
  if (!preverified) {
    verify_failure_ = reason_for_verify_error(X509_STORE_CTX_get_error(store));
    return false;
  }
  if (X509_STORE_CTX_get_error_depth(store) > 0) return true;  // the CA itself
  const PeerCheck check =
      check_client_leaf(X509_STORE_CTX_get_current_cert(store), state_.trust_domain, policies_->organisations());
  if (check.org != nullptr) return true;
  verify_failure_ = check.refusal;
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return false;
}

std::string_view HttpsSession::classify_handshake_error(beast::error_code ec) const {
  if (!verify_failure_.empty()) return verify_failure_;
  if (ec == beast::error::timeout) return "timeout";
  if (ec.category() == asio::error::get_ssl_category()) {
    if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
      return "certificate_required";
    }
    return "tls_protocol";
  }
  return "other";
}

void HttpsSession::on_handshake(beast::error_code ec) {
  if (ec) {
    const std::string_view reason = classify_handshake_error(ec);
    state_.metrics.handshake_failed(reason);
    log::info("handshake refused", {{"reason", reason}, {"peer", peer_address_}, {"detail", ec.message()}});
    return;  // dropping the last reference closes the socket
  }
  if (const std::string_view refusal = authenticate(); !refusal.empty()) {
    state_.metrics.handshake_failed(refusal);
    log::info("handshake refused", {{"reason", refusal}, {"peer", peer_address_},
                                    {"resumed", SSL_session_reused(stream_.native_handle()) == 1}});
    return close();
  }
  log::debug("client authenticated", {{"org", caller_->id}, {"peer", peer_address_}});
  if (draining()) return close();
  admit();
}

// The caller is whoever the verified peer certificate names. On a resumed session OpenSSL
// verified nothing now: the certificate is the one the session was made with, so it is checked
// again against the trust store and CRL in force (a revocation since then ends it here).
std::string_view HttpsSession::authenticate() {
  SSL* ssl = stream_.native_handle();
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return "certificate_required";
  if (SSL_get_verify_result(ssl) != X509_V_OK) return "certificate_invalid";
  const PeerCheck check = check_client_leaf(leaf, state_.trust_domain, policies_->organisations());
  if (check.org == nullptr) return check.refusal;
  const auto current = state_.tls_context();
  if (SSL_session_reused(ssl) == 1 || current != tls_context_) {
    if (auto problem = verify_against_store(leaf, SSL_CTX_get_cert_store(current->native_handle())); !problem.empty()) {
      return problem;
    }
  }
  caller_ = check.org;
  return {};
}

// From the handshake budget to the authenticated one. Over its organisation's cap (or the
// global one), the connection is told so on its first request, still counted as a handshake.
void HttpsSession::admit() {
  ConnectionBudget::Admission admission = state_.budget.enter_authenticated(caller_->id);
  if (!admission.slot) {
    refused_ = admission.refusal;
    close_after_response_ = true;
    state_.metrics.connection_refused(admission.refusal);
    read_request();
    lowest_layer().expires_after(state_.limits.handshake_timeout);
    return;
  }
  slot_ = std::move(admission.slot);
  lifetime_timer_.expires_after(state_.limits.max_connection_lifetime);
  lifetime_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->expire();
  });
  read_request();
}

void HttpsSession::handle(HttpRequest request) {
  if (refused_) {
    return send(error_response(Reason::overloaded, *refused_ == AdmissionRefusal::org_budget
                                                       ? "too many connections for this organisation"
                                                       : "the broker has too many connections"));
  }
  // The snapshot the caller points into travels with the answer: a reload may give this
  // session a new one while the request is in flight.
  auto respond = [self = shared_from_this(), policies = policies_](HttpResponse response) {
    asio::dispatch(self->stream_.get_executor(),
                   [self, response = std::move(response)]() mutable { self->send(std::move(response)); });
  };
  state_.handler->handle(*caller_, std::move(request), std::move(respond));
}

void HttpsSession::upgrade(http::request<http::string_body>&& request) {
  const std::string_view target = request.target();
  if (target.substr(0, target.find('?')) != "/v1/connect" || request.method() != http::verb::get) {
    return send(error_response(Reason::not_found, "WebSocket upgrades are served on GET /v1/connect only"));
  }
  if (refused_) return handle({});
  if (draining()) return send(error_response(Reason::shutting_down));
  // The TLS stream and the connection's place move to the connector session; this HTTP
  // session ends here.
  closing_ = true;
  lifetime_timer_.cancel();
  std::make_shared<ConnectorSession>(std::move(stream_), caller_->id, policies_, tls_context_, state_,
                                     std::move(slot_))
      ->start(std::move(request));
}

void HttpsSession::drain() {
  if (idle()) lowest_layer().cancel();  // the pending read ends with operation_aborted → close()
}

// After a reload: the same certificate against the new CRL and organisations. A session that
// still passes carries on with the organisation as it is now (roles, clearance); one that does
// not is cut at once, even in the middle of a request.
void HttpsSession::recheck() {
  if (closing_ || caller_ == nullptr) return;  // still in its handshake: authenticate() will see the new state
  auto snapshot = state_.policies->snapshot();
  X509* leaf = SSL_get0_peer_certificate(stream_.native_handle());
  PeerCheck check = check_client_leaf(leaf, state_.trust_domain, snapshot->organisations());
  std::string_view refusal = check.refusal;
  if (check.org != nullptr) refusal = verify_against_store(leaf, SSL_CTX_get_cert_store(state_.tls_context()->native_handle()));
  if (refusal.empty()) {
    policies_ = std::move(snapshot);
    caller_ = check.org;
    return;
  }
  state_.metrics.session_revoked(refusal);
  log::warn("session closed: its identity no longer passes", {{"org", caller_->id}, {"reason", refusal},
                                                               {"peer", peer_address_}});
  close_now();
}

void HttpsSession::expire() {
  if (closing_) return;
  state_.metrics.session_expired();
  close_after_response_ = true;  // a request in progress is answered first, with Connection: close
  drain();
}

void HttpsSession::close_now() {
  closing_ = true;
  lifetime_timer_.cancel();
  slot_.release();
  lowest_layer().close();  // pending reads and writes end with operation_aborted
}

void HttpsSession::close() {
  if (closing_) return;  // closing already, or the stream was handed to a connector session
  closing_ = true;
  lifetime_timer_.cancel();
  // A TLS close_notify, bounded in time: a peer that never answers cannot hold us.
  lowest_layer().expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().close(ignored);
  });
}

}  // namespace pse::broker

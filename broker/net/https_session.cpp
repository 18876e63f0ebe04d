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

HttpsSession::HttpsSession(asio::ip::tcp::socket&& socket, ServerState& state)
    : HttpConnection(state.limits),
      state_(state),
      tls_context_(state.tls_context()),
      policies_(state.policies->snapshot()),
      stream_(std::move(socket), *tls_context_) {
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
  state_.sessions.add(this, [weak] {
    if (auto self = weak.lock()) asio::post(self->stream_.get_executor(), [self] { self->drain(); });
  });
  stream_.set_verify_callback([this](bool preverified, asio::ssl::verify_context& context) {
    return verify_peer(preverified, context.native_handle());
  });
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    beast::get_lowest_layer(self->stream_).expires_after(self->state_.limits.handshake_timeout);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

// Called by OpenSSL for each certificate of the client's chain, root first. Refusing here ends
// the handshake with an alert, so a bad certificate never reaches the HTTP layer.
bool HttpsSession::verify_peer(bool preverified, X509_STORE_CTX* store) {
  if (!preverified) {
    verify_failure_ = reason_for_verify_error(X509_STORE_CTX_get_error(store));
    return false;
  }
  if (X509_STORE_CTX_get_error_depth(store) > 0) return true;  // the CA itself
  auto org_id = spiffe_org_id(X509_STORE_CTX_get_current_cert(store), state_.trust_domain);
  if (!org_id) {
    verify_failure_ = "identity_missing";
  } else if ((caller_ = policies_->organisations().find(*org_id)) == nullptr) {
    verify_failure_ = "unknown_org";
  } else {
    return true;
  }
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
  log::debug("client authenticated", {{"org", caller_->id}, {"peer", peer_address_}});
  if (draining()) return close();
  read_request();
}

void HttpsSession::handle(HttpRequest request) {
  auto respond = [self = shared_from_this()](HttpResponse response) {
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
  if (draining()) return send(error_response(Reason::shutting_down));
  // The TLS stream moves to the connector session; this HTTP session ends here.
  closing_ = true;
  std::make_shared<ConnectorSession>(std::move(stream_), *caller_, policies_, tls_context_, state_)
      ->start(std::move(request));
}

void HttpsSession::drain() {
  if (idle()) lowest_layer().cancel();  // the pending read ends with operation_aborted → close()
}

void HttpsSession::close() {
  if (closing_) return;  // closing already, or the stream was handed to a connector session
  closing_ = true;
  // A TLS close_notify, bounded in time: a peer that never answers cannot hold us.
  lowest_layer().expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().close(ignored);
  });
}

}  // namespace pse::broker

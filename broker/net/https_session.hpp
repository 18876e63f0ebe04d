// One client connection on the mTLS listener: handshake (the client certificate decides who is
// calling), then HTTP requests handed to the API router with the caller's organisation.
//
// The caller is read from the verified peer certificate once the handshake is over — whether
// the handshake was full or resumed from a ticket — and checked again whenever the broker
// reloads its CRL and organisations: a session lives only as long as its identity passes.
#pragma once

#include "broker/admission/connection_budget.hpp"
#include "broker/net/http_connection.hpp"
#include "broker/net/server_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pse::broker {

class HttpsSession : public HttpConnection<HttpsSession>,
                     public std::enable_shared_from_this<HttpsSession> {
 public:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  /// `handshake_slot` is the connection's place in the handshake budget.
  HttpsSession(boost::asio::ip::tcp::socket&& socket, ServerState& state, ConnectionBudget::Slot handshake_slot);
  ~HttpsSession();

  void start();

  // Used by HttpConnection.
  Stream& stream() { return stream_; }
  void handle(HttpRequest request);
  /// GET /v1/connect becomes a provider connector's WebSocket; any other upgrade is refused.
  void upgrade(http::request<http::string_body>&& request);
  /// True when this connection must close after its current response.
  bool draining() const { return state_.draining.load() || close_after_response_; }
  void on_response(int status) { state_.metrics.request_completed(status); }
  /// Ends the connection with a TLS close_notify, bounded in time.
  void close();
  /// Ends it at once, without one: the peer has left, or must go now.
  void close_now();

 private:
  bool verify_peer(bool preverified, X509_STORE_CTX* store);
  void on_handshake(beast::error_code ec);
  std::string_view authenticate();
  void admit();
  std::string_view classify_handshake_error(beast::error_code ec) const;
  void drain();
  void recheck();
  void expire();

  ServerState& state_;
  // Snapshots taken at accept time; they outlive the TLS stream that uses them.
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::shared_ptr<const policy::PolicySnapshot> policies_;  // the caller points into it
  Stream stream_;
  boost::asio::steady_timer lifetime_timer_;
  ConnectionBudget::Slot slot_;  // in the handshake budget, then in the authenticated one
  std::string peer_address_;
  const policy::Organisation* caller_ = nullptr;
  std::optional<AdmissionRefusal> refused_;  // authenticated, but over a connection budget
  std::string_view verify_failure_;  // set by verify_peer when it refuses the certificate
  bool close_after_response_ = false;
  bool closing_ = false;
};

}  // namespace pse::broker

// Connections on the admin listener: plain HTTP on loopback (AdminSession), or mutual TLS with
// the operator role (AdminTlsSession, admin.mtls). Both put every request through the
// AdminGate (Host, Origin, bearer token) before admin_routes and the dead-letter routes.
#pragma once

#include "broker/admin/admin_gate.hpp"
#include "broker/net/http_connection.hpp"
#include "broker/net/server_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <string>

namespace pse::broker {

/// Starts the right session for a connection accepted on the admin listener, or refuses it
/// at once when admin.max_connections are open.
void accept_admin_connection(boost::asio::ip::tcp::socket socket, ServerState& state, AdminGate& gate);

class AdminSession : public HttpConnection<AdminSession>,
                     public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(boost::asio::ip::tcp::socket&& socket, ServerState& state, AdminGate& gate, AdminGate::Slot slot);
  void start();

  // Used by HttpConnection.
  beast::tcp_stream& stream() { return stream_; }
  void handle(HttpRequest request, const http::fields& headers);
  void upgrade(http::request<http::string_body>&&) { send(error_response(Reason::not_found, "no WebSocket here")); }
  bool draining() const { return state_.draining.load(); }
  void on_response(int) {}
  void close();

 private:
  ServerState& state_;
  AdminGate& gate_;
  AdminGate::Slot slot_;
  beast::tcp_stream stream_;
};

class AdminTlsSession : public HttpConnection<AdminTlsSession>,
                        public std::enable_shared_from_this<AdminTlsSession> {
 public:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  AdminTlsSession(boost::asio::ip::tcp::socket&& socket, ServerState& state, AdminGate& gate, AdminGate::Slot slot);
  void start();

  // Used by HttpConnection.
  Stream& stream() { return stream_; }
  void handle(HttpRequest request, const http::fields& headers);
  void upgrade(http::request<http::string_body>&&) { send(error_response(Reason::not_found, "no WebSocket here")); }
  /// A refused caller gets its answer, then the connection closes.
  bool draining() const { return state_.draining.load() || refused_; }
  void on_response(int) {}
  void close();

 private:
  void on_handshake(beast::error_code ec);
  std::string_view certificate_problem();

  ServerState& state_;
  AdminGate& gate_;
  AdminGate::Slot slot_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // outlives the stream that uses it
  Stream stream_;
  std::string peer_address_;
  std::string org_id_;  // from the verified certificate; empty when it names no organisation
  bool refused_ = false;
  bool closing_ = false;
};

}  // namespace pse::broker

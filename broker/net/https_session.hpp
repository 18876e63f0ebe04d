// One client connection on the mTLS listener: handshake (the client certificate decides who is
// calling), then HTTP requests handed to the API router with the caller's organisation.
#pragma once

#include "broker/net/http_connection.hpp"
#include "broker/net/server_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <string>

namespace pse::broker {

class HttpsSession : public HttpConnection<HttpsSession>,
                     public std::enable_shared_from_this<HttpsSession> {
 public:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  HttpsSession(boost::asio::ip::tcp::socket&& socket, ServerState& state);
  ~HttpsSession();

  void start();

  // Used by HttpConnection.
  Stream& stream() { return stream_; }
  void handle(HttpRequest request);
  /// GET /v1/connect becomes a provider connector's WebSocket; any other upgrade is refused.
  void upgrade(http::request<http::string_body>&& request);
  bool draining() const { return state_.draining.load(); }
  void on_response(int status) { state_.metrics.request_completed(status); }
  void close();

 private:
  bool verify_peer(bool preverified, X509_STORE_CTX* store);
  void on_handshake(beast::error_code ec);
  std::string_view classify_handshake_error(beast::error_code ec) const;
  void drain();

  ServerState& state_;
  // Snapshots taken at accept time; they outlive the TLS stream that uses them.
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::shared_ptr<const policy::PolicySnapshot> policies_;  // the caller points into it
  Stream stream_;
  std::string peer_address_;
  const policy::Organisation* caller_ = nullptr;
  std::string_view verify_failure_;  // set by verify_peer when it refuses the certificate
  bool closing_ = false;
};

}  // namespace pse::broker

// One connection on the admin listener: plain HTTP on loopback, answered by admin_routes.
#pragma once

#include "broker/net/http_connection.hpp"
#include "broker/net/server_state.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace pse::broker {

class AdminSession : public HttpConnection<AdminSession>,
                     public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(boost::asio::ip::tcp::socket&& socket, ServerState& state);
  void start();

  // Used by HttpConnection.
  beast::tcp_stream& stream() { return stream_; }
  void handle(HttpRequest request);
  void upgrade(http::request<http::string_body>&&) { send(error_response(Reason::not_found, "no WebSocket here")); }
  bool draining() const { return state_.draining.load(); }
  void on_response(int) {}
  void close();

 private:
  ServerState& state_;
  beast::tcp_stream stream_;
};

}  // namespace pse::broker

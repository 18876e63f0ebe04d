// HttpConnection<Derived>: the HTTP/1.1 request loop shared by the mTLS session and the admin
// session (CRTP, as in Beast's advanced server). It reads one request at a time with header
// and body limits and per-phase timeouts, answers malformed or oversized requests with a JSON
// error, and keeps the connection alive only when both sides want it and no drain is under way.
//
// Derived provides: stream(), shared_from_this(), handle(HttpRequest) — or handle(HttpRequest,
// const http::fields&) when it needs the headers —, upgrade(request) for a WebSocket upgrade
// request, draining(), on_response(int status) and close().
#pragma once

#include "broker/config.hpp"
#include "broker/http_types.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <memory>
#include <optional>

namespace pse::broker {

namespace beast = boost::beast;
namespace http = boost::beast::http;

template <class Derived>
class HttpConnection {
 protected:
  explicit HttpConnection(const Limits& limits) : limits_(limits) {}

  /// Waits for the next request. Idle (no byte of it received yet) until the header arrives.
  void read_request() {
    parser_.emplace();
    parser_->header_limit(limits_.header_bytes);
    parser_->body_limit(limits_.body_bytes);
    idle_ = buffer_.size() == 0;
    lowest_layer().expires_after(idle_ ? limits_.idle_timeout : limits_.request_timeout);
    http::async_read_header(derived().stream(), buffer_, *parser_,
                            [self = derived().shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  /// Answers the current request; safe to call once per request, on the connection's strand.
  void send(HttpResponse response) {
    derived().on_response(response.status);
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    message->set(http::field::server, "pse-broker");
    message->set(http::field::content_type, response.content_type);
    message->set(http::field::cache_control, "no-store");
    if (response.retry_after_seconds > 0) message->set(http::field::retry_after, std::to_string(response.retry_after_seconds));
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !derived().draining());
    message->prepare_payload();
    lowest_layer().expires_after(limits_.request_timeout);
    http::async_write(derived().stream(), *message,
                      [self = derived().shared_from_this(), message](beast::error_code ec, std::size_t) {
                        self->on_write(ec, message->keep_alive());
                      });
  }

  /// True while waiting for a request that has not started: the moment a drain may close us.
  bool idle() const noexcept { return idle_; }

  beast::tcp_stream& lowest_layer() { return beast::get_lowest_layer(derived().stream()); }

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    lowest_layer().expires_after(limits_.request_timeout);
    http::async_read(derived().stream(), buffer_, *parser_,
                     [self = derived().shared_from_this()](beast::error_code body_ec, std::size_t) {
                       self->on_body(body_ec);
                     });
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    if (beast::websocket::is_upgrade(message)) return derived().upgrade(std::move(message));
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.body = std::move(message.body());
    // A session that needs headers (the admin listener's Host and Origin checks) takes them too.
    if constexpr (requires { derived().handle(std::move(request), message.base()); }) {
      derived().handle(std::move(request), message.base());
    } else {
      derived().handle(std::move(request));
    }
  }

  void on_read_error(beast::error_code ec) {
    // The peer left: nothing to answer, and no close_notify to exchange with it either. Through
    // a TCP proxy, waiting for the peer's close_notify held each finished connection (and its
    // organisation's place in the budget) until the shutdown's time limit.
    if (ec == http::error::end_of_stream || ec == boost::asio::ssl::error::stream_truncated ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) {
      if constexpr (requires { derived().close_now(); }) return derived().close_now();
      return derived().close();
    }
    // The timer fired or a drain cancelled an idle read: nothing to answer.
    if (ec == beast::error::timeout || ec == boost::asio::error::operation_aborted) return derived().close();
    keep_alive_ = false;  // after a framing error the stream cannot be trusted
    if (ec == http::error::header_limit) return send(error_response(Reason::headers_too_large));
    if (ec == http::error::body_limit) return send(error_response(Reason::payload_too_large));
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
      return send(error_response(Reason::malformed_request, "malformed HTTP request: " + ec.message()));
    }
    derived().close();  // a transport error (TLS alert, reset…)
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    // A drain that began while this response was being written found the connection busy:
    // closing here is what keeps it from waiting idle until the drain's deadline.
    if (ec || !keep_alive || derived().draining()) return derived().close();
    read_request();
  }

  const Limits& limits_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  bool idle_ = false;
};

}  // namespace pse::broker

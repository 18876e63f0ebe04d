#include "https_server.hpp"

#include "base/log.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <limits>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace pse::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

http::response<http::string_body> to_beast(const HttpsServerOptions& options, const WebResponse& response,
                                           unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(response.status), version};
  out.set(http::field::server, options.server_name);
  out.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : options.headers) out.set(name, value);
  for (const auto& [name, value] : response.headers) out.insert(name, value);
  out.body() = response.body;
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

/// One of the max_connections places, given back when the session holding it ends.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::atomic<std::size_t>& open) : open_(&open) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept : open_(std::exchange(other.open_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (open_ != nullptr) open_->fetch_sub(1);
  }

 private:
  std::atomic<std::size_t>* open_;
};

/// True at most once per `interval` across threads: for log lines an attacker could repeat.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::milliseconds interval) : interval_(interval.count()) {}
  bool due() {
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    std::int64_t last = last_.load();
    return now - last >= interval_ && last_.compare_exchange_strong(last, now);
  }

 private:
  std::int64_t interval_;
  std::atomic<std::int64_t> last_{std::numeric_limits<std::int64_t>::min() / 2};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ssl::context& context, const HttpsServerOptions& options,
          const HttpsServer::Handler& handler, ConnectionSlot slot)
      : stream_(std::move(socket), context), options_(options), handler_(handler), slot_(std::move(slot)) {
    beast::error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) address_ = endpoint.address().to_string();
  }

  void start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser_->body_limit(options_.body_limit);
    beast::get_lowest_layer(stream_).expires_after(options_.timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout) return close();
    if (ec == http::error::body_limit) return reply_error(413);
    if (ec == http::error::header_limit) return reply_error(431);
    if (ec) return reply_error(400);

    auto& request = parser_->get();
    WebRequest web;
    web.method = std::string(request.method_string());
    web.target = std::string(request.target());
    web.cookie = std::string(request[http::field::cookie]);
    web.content_type = std::string(request[http::field::content_type]);
    web.accept_language = std::string(request[http::field::accept_language]);
    web.body = std::move(request.body());
    web.remote_address = address_;
    WebResponse response;
    try {
      response = handler_(web);
    } catch (const std::exception& error) {
      log::error("request failed", {{"error", error.what()}});
      response = error_page(500);
    }
    if (web.method == "HEAD") response.body.clear();
    write(to_beast(options_, response, request.version(), request.keep_alive()));
  }

  WebResponse error_page(int status) const {
    if (options_.error_page) return options_.error_page(status);
    return WebResponse{status, "text/plain; charset=utf-8", std::to_string(status) + "\n", {}};
  }

  void reply_error(int status) { write(to_beast(options_, error_page(status), 11, false)); }

  void write(http::response<http::string_body>&& response) {
    response_ = std::make_shared<http::response<http::string_body>>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(options_.timeout);
    http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (self->response_->keep_alive()) return self->read();
      self->close();
    });
  }

  void close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  const HttpsServerOptions& options_;
  const HttpsServer::Handler& handler_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  std::string address_;
  ConnectionSlot slot_;
};

}  // namespace

struct HttpsServer::Impl {
  Impl(HttpsServerOptions opts, Handler h)
      : options(std::move(opts)),
        handler(std::move(h)),
        tls(ssl::context::tls_server),
        acceptor(io),
        signals(io),
        accept_retry(io) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) return accept_later(ec);
      if (open_connections.fetch_add(1) >= options.max_connections) {
        open_connections.fetch_sub(1);
        refuse(socket);
      } else {
        std::make_shared<Session>(std::move(socket), tls, options, handler, ConnectionSlot(open_connections))->start();
      }
      accept();
    });
  }

  void refuse(tcp::socket& socket) {
    const std::uint64_t total = refused.fetch_add(1) + 1;
    beast::error_code ignored;
    socket.close(ignored);
    if (refusal_log.due()) {
      log::warn("connection refused: max_connections are open",
                {{"max_connections", options.max_connections}, {"refused_total", total}});
    }
  }

  // Out of descriptors (EMFILE, ENFILE) or memory: accepting again at once would fail again at
  // once, in a loop that takes a core; connections in progress end meanwhile and free some.
  void accept_later(beast::error_code ec) {
    if (accept_error_log.due()) log::error("accept failed, retrying in 100 ms", {{"error", ec.message()}});
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) accept();
    });
  }

  // Sessions refer to the options, the handler, the TLS context and the connection count:
  // those are declared before the io_context so that they outlive the sessions it destroys.
  HttpsServerOptions options;
  Handler handler;
  ssl::context tls;
  std::atomic<std::size_t> open_connections{0};
  std::atomic<std::uint64_t> refused{0};
  LogThrottle refusal_log{std::chrono::seconds(10)};
  LogThrottle accept_error_log{std::chrono::seconds(10)};
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer accept_retry;
};

HttpsServer::HttpsServer(HttpsServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
  auto& tls = impl_->tls;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  try {
    tls.use_certificate_chain_file(impl_->options.certificate.string());
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot use the TLS certificate " + impl_->options.certificate.string() + ": " + error.what());
  }
  try {
    tls.use_private_key_file(impl_->options.key.string(), ssl::context::pem);
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot use the TLS key " + impl_->options.key.string() + ": " + error.what());
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) throw std::runtime_error("bad listen address '" + impl_->options.address + "'");
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) return;
  throw std::runtime_error("cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) +
                           ": " + ec.message());
}

HttpsServer::~HttpsServer() = default;

std::uint16_t HttpsServer::port() const noexcept {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpsServer::run() {
  if (impl_->options.stop_on_signals) {
    impl_->signals.add(SIGINT);
    impl_->signals.add(SIGTERM);
    impl_->signals.async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  }
  impl_->accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.threads; ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& thread : threads) thread.join();
}

std::uint64_t HttpsServer::refused_connections() const noexcept { return impl_->refused.load(); }

void HttpsServer::stop() {
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->signals.cancel(ignored);
    impl_->io.stop();
  });
}

}  // namespace pse::web

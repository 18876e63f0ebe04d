#include "http_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <openssl/crypto.h>

#include <cctype>
#include <stdexcept>
#include <thread>

namespace pse::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

bool secret_matches(std::string_view given, std::string_view secret) {
  if (secret.empty() || given.size() != secret.size()) return false;
  return CRYPTO_memcmp(given.data(), secret.data(), secret.size()) == 0;
}

std::string query_parameter(const std::string& target, const std::string& name) {
  const std::size_t query = target.find('?');
  if (query == std::string::npos) return {};
  std::size_t i = query + 1;
  while (i < target.size()) {
    std::size_t end = target.find('&', i);
    if (end == std::string::npos) end = target.size();
    const std::string pair = target.substr(i, end - i);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string raw = eq == std::string::npos ? std::string() : pair.substr(eq + 1), out;
      for (std::size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] == '%' && k + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[k + 1])) &&
            std::isxdigit(static_cast<unsigned char>(raw[k + 2]))) {
          out += static_cast<char>(std::stoi(raw.substr(k + 1, 2), nullptr, 16));
          k += 2;
        } else {
          out += raw[k] == '+' ? ' ' : raw[k];
        }
      }
      return out;
    }
    i = end + 1;
  }
  return {};
}

// Handlers hold `this`, not a shared_ptr: the io_context is a member, so pending handlers
// holding the Impl would keep it (and themselves) alive for ever. The destructor joins the
// thread before the Impl goes, and destroying the io_context destroys what is still queued.
struct HttpEndpoint::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  HttpHandler handler;
  std::thread thread;

  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket socket, const HttpHandler& h) : stream(std::move(socket)), handler(h) {}
    beast::tcp_stream stream;
    const HttpHandler& handler;
    beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    http::response<http::string_body> response;

    void start() {
      parser.header_limit(8192);
      stream.expires_after(std::chrono::seconds(5));
      http::async_read(stream, buffer, parser, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->answer();
      });
    }

    void answer() {
      const auto& request = parser.get();
      HttpAnswer a = handler(std::string(request.method_string()), std::string(request.target()));
      response.version(11);
      response.result(a.status);
      response.set(http::field::content_type, a.content_type);
      response.set(http::field::connection, "close");
      response.body() = std::move(a.body);
      response.prepare_payload();
      http::async_write(stream, response, [self = shared_from_this()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    }
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: stopping
      std::make_shared<Session>(std::move(socket), handler)->start();
      accept();
    });
  }
};

HttpEndpoint::HttpEndpoint(const std::string& address, std::uint16_t port, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(address, ec), port);
  if (ec) throw std::runtime_error("http: bad address " + address);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("http: cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

HttpEndpoint::~HttpEndpoint() {
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  impl_->thread.join();
}

std::uint16_t HttpEndpoint::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace pse::notify

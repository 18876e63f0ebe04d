#include "support/tls_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace pse::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr int operation_ms = 5000;

// Runs one asynchronous operation to completion or for `millis` at most. Blocking socket calls
// cannot be bounded (Asio waits in poll() without a timeout once a socket timeout fires), so
// each operation here is asynchronous; on time-out the socket's operations are cancelled and
// the result is timed_out.
template <class Start>
beast::error_code run_bounded(asio::io_context& io, tcp::socket& socket, int millis, Start start,
                              std::size_t* transferred = nullptr) {
  bool done = false;
  beast::error_code result;
  start([&](beast::error_code ec, std::size_t n = 0) {
    done = true;
    result = ec;
    if (transferred) *transferred = n;
  });
  io.restart();
  io.run_for(std::chrono::milliseconds(millis));
  if (done) return result;
  beast::error_code ignored;
  socket.cancel(ignored);
  io.restart();
  io.run();  // the cancelled operation completes
  return asio::error::timed_out;
}

beast::error_code connect_loopback(asio::io_context& io, tcp::socket& socket, std::uint16_t port) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  return run_bounded(io, socket, operation_ms, [&](auto handler) { socket.async_connect(endpoint, handler); });
}

}  // namespace

struct TlsClient::Impl {
  std::uint16_t port;
  asio::io_context io;
  asio::ssl::context context{asio::ssl::context::tls_client};
  std::optional<asio::ssl::stream<tcp::socket>> stream;
  beast::flat_buffer buffer;
  std::shared_ptr<SSL_SESSION> offered;

  tcp::socket& socket() { return stream->next_layer(); }
};

TlsClient::TlsClient(std::uint16_t port, std::filesystem::path ca_file, std::optional<ClientIdentity> identity,
                     bool tls12_only)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->context.load_verify_file(ca_file.string());
  impl_->context.set_verify_mode(asio::ssl::verify_peer);
  if (identity) {
    impl_->context.use_certificate_chain_file(identity->cert.string());
    impl_->context.use_private_key_file(identity->key.string(), asio::ssl::context::pem);
  }
  if (tls12_only) SSL_CTX_set_max_proto_version(impl_->context.native_handle(), TLS1_2_VERSION);
}

TlsClient::~TlsClient() = default;

void TlsClient::offer_tls12_ciphers(const std::string& openssl_list) {
  if (SSL_CTX_set_cipher_list(impl_->context.native_handle(), openssl_list.c_str()) != 1) {
    throw std::invalid_argument("no cipher in '" + openssl_list + "'");
  }
}

void TlsClient::offer_tls13_suites(const std::string& openssl_list) {
  if (SSL_CTX_set_ciphersuites(impl_->context.native_handle(), openssl_list.c_str()) != 1) {
    throw std::invalid_argument("no TLS 1.3 suite in '" + openssl_list + "'");
  }
}

bool TlsClient::connect() {
  impl_->stream.emplace(impl_->io, impl_->context);
  if (auto ec = connect_loopback(impl_->io, impl_->socket(), impl_->port)) {
    error_ = "connect: " + ec.message();
    return false;
  }
  impl_->stream->set_verify_callback(asio::ssl::host_name_verification("localhost"));
  if (impl_->offered) SSL_set_session(impl_->stream->native_handle(), impl_->offered.get());
  auto ec = run_bounded(impl_->io, impl_->socket(), operation_ms, [&](auto handler) {
    impl_->stream->async_handshake(asio::ssl::stream_base::client, handler);
  });
  if (ec) {
    error_ = "handshake: " + ec.message();
    return false;
  }
  return true;
}

std::shared_ptr<SSL_SESSION> TlsClient::session() const {
  if (!impl_->stream) return nullptr;
  SSL_SESSION* session = SSL_get1_session(impl_->stream->native_handle());
  if (session == nullptr) return nullptr;
  return std::shared_ptr<SSL_SESSION>(session, SSL_SESSION_free);
}

void TlsClient::resume_with(std::shared_ptr<SSL_SESSION> session) { impl_->offered = std::move(session); }

bool TlsClient::resumed() const {
  return impl_->stream && SSL_session_reused(impl_->stream->native_handle()) == 1;
}

HttpResult TlsClient::request(const std::string& method, const std::string& target, const std::string& body,
                              std::size_t extra_header_bytes) {
  HttpResult result;
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "localhost:" + std::to_string(impl_->port));
  if (extra_header_bytes > 0) request.set("X-Padding", std::string(extra_header_bytes, 'p'));
  request.body() = body;
  request.prepare_payload();
  auto ec = run_bounded(impl_->io, impl_->socket(), operation_ms,
                        [&](auto handler) { http::async_write(*impl_->stream, request, handler); });
  if (ec) {
    result.error = "write: " + ec.message();
    return result;
  }
  http::response<http::string_body> response;
  ec = run_bounded(impl_->io, impl_->socket(), operation_ms,
                   [&](auto handler) { http::async_read(*impl_->stream, impl_->buffer, response, handler); });
  if (ec) {
    result.error = "read: " + ec.message();
    return result;
  }
  result.answered = true;
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  result.retry_after = std::string(response[http::field::retry_after]);
  return result;
}

std::string TlsClient::raw(const std::string& bytes) {
  auto ec = run_bounded(impl_->io, impl_->socket(), operation_ms,
                        [&](auto handler) { asio::async_write(*impl_->stream, asio::buffer(bytes), handler); });
  std::string received;
  char chunk[4096];
  while (!ec) {
    std::size_t n = 0;
    ec = run_bounded(
        impl_->io, impl_->socket(), operation_ms,
        [&](auto handler) { impl_->stream->async_read_some(asio::buffer(chunk), handler); }, &n);
    received.append(chunk, n);
  }
  return received;
}

bool TlsClient::closed_by_server(int wait_ms) {
  char byte;
  const auto ec = run_bounded(impl_->io, impl_->socket(), wait_ms, [&](auto handler) {
    impl_->stream->async_read_some(asio::buffer(&byte, 1), handler);
  });
  return ec && ec != asio::error::timed_out;  // timed out: the server kept the connection open
}

HttpResult https_request(std::uint16_t port, const std::filesystem::path& ca_file,
                         std::optional<ClientIdentity> identity, const std::string& method,
                         const std::string& target, const std::string& body) {
  TlsClient client(port, ca_file, std::move(identity));
  if (!client.connect()) {
    HttpResult result;
    result.error = client.error();
    return result;
  }
  return client.request(method, target, body);
}

int silent_tcp_connection_lifetime_ms(std::uint16_t port, int wait_ms) {
  asio::io_context io;
  tcp::socket socket(io);
  if (connect_loopback(io, socket, port)) return 0;
  const auto started = std::chrono::steady_clock::now();
  char byte;
  const auto ec =
      run_bounded(io, socket, wait_ms, [&](auto handler) { socket.async_read_some(asio::buffer(&byte, 1), handler); });
  if (ec == asio::error::timed_out) return -1;
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
}

struct IdleConnections::Impl {
  asio::io_context io;
  std::vector<tcp::socket> sockets;
};

IdleConnections::IdleConnections(std::uint16_t port, const std::string& source_address, int count)
    : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  const tcp::endpoint source(asio::ip::make_address(source_address), 0);
  for (int i = 0; i < count; ++i) {
    tcp::socket socket(impl_->io);
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    if (!ec) socket.bind(source, ec);
    if (!ec) ec = run_bounded(impl_->io, socket, operation_ms, [&](auto handler) { socket.async_connect(server, handler); });
    if (!ec) impl_->sockets.push_back(std::move(socket));
  }
}

IdleConnections::~IdleConnections() = default;

int IdleConnections::still_open(int wait_ms) {
  // Read on all at once: a closed one completes with EOF or a reset, an open one stays pending.
  int closed = 0;
  char byte = 0;
  for (auto& socket : impl_->sockets) {
    socket.async_read_some(asio::buffer(&byte, 1), [&closed](beast::error_code ec, std::size_t) {
      if (ec != asio::error::operation_aborted) ++closed;
    });
  }
  impl_->io.restart();
  impl_->io.run_for(std::chrono::milliseconds(wait_ms));
  for (auto& socket : impl_->sockets) {
    beast::error_code ignored;
    socket.cancel(ignored);
  }
  impl_->io.restart();
  impl_->io.run();
  return static_cast<int>(impl_->sockets.size()) - closed;
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target) {
  return http_request(port, method, target, {});
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpResult result;
  asio::io_context io;
  tcp::socket socket(io);
  auto ec = connect_loopback(io, socket, port);
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(false);
  request.prepare_payload();
  ec = run_bounded(io, socket, operation_ms, [&](auto handler) { http::async_write(socket, request, handler); });
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) {
    ec = run_bounded(io, socket, operation_ms,
                     [&](auto handler) { http::async_read(socket, buffer, response, handler); });
  }
  if (ec) {
    result.error = ec.message();
    return result;
  }
  result.answered = true;
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  return result;
}

}  // namespace pse::testing

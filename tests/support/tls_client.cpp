#include "support/tls_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <sys/socket.h>
#include <sys/time.h>

namespace pse::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

void set_socket_timeouts(tcp::socket& socket, int millis) {
  timeval tv{millis / 1000, (millis % 1000) * 1000};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

struct TlsClient::Impl {
  std::uint16_t port;
  asio::io_context io;
  asio::ssl::context context{asio::ssl::context::tls_client};
  std::optional<asio::ssl::stream<tcp::socket>> stream;
  beast::flat_buffer buffer;
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

bool TlsClient::connect() {
  beast::error_code ec;
  impl_->stream.emplace(impl_->io, impl_->context);
  auto& socket = impl_->stream->next_layer();
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  if (ec) {
    error_ = "connect: " + ec.message();
    return false;
  }
  set_socket_timeouts(socket, 5000);
  impl_->stream->set_verify_callback(asio::ssl::host_name_verification("localhost"));
  impl_->stream->handshake(asio::ssl::stream_base::client, ec);
  if (ec) {
    error_ = "handshake: " + ec.message();
    return false;
  }
  return true;
}

HttpResult TlsClient::request(const std::string& method, const std::string& target, const std::string& body,
                              std::size_t extra_header_bytes) {
  HttpResult result;
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "localhost");
  if (extra_header_bytes > 0) request.set("X-Padding", std::string(extra_header_bytes, 'p'));
  request.body() = body;
  request.prepare_payload();
  beast::error_code ec;
  http::write(*impl_->stream, request, ec);
  if (ec) {
    result.error = "write: " + ec.message();
    return result;
  }
  http::response<http::string_body> response;
  http::read(*impl_->stream, impl_->buffer, response, ec);
  if (ec) {
    result.error = "read: " + ec.message();
    return result;
  }
  result.answered = true;
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  return result;
}

std::string TlsClient::raw(const std::string& bytes) {
  beast::error_code ec;
  asio::write(*impl_->stream, asio::buffer(bytes), ec);
  std::string received;
  char chunk[4096];
  while (!ec) {
    const std::size_t n = impl_->stream->read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
  }
  return received;
}

bool TlsClient::closed_by_server(int wait_ms) {
  set_socket_timeouts(impl_->stream->next_layer(), wait_ms);
  char byte;
  beast::error_code ec;
  impl_->stream->read_some(asio::buffer(&byte, 1), ec);
  // A socket timeout surfaces as EAGAIN/would_block: the server kept the connection open.
  return ec && ec != asio::error::would_block && ec != asio::error::try_again;
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
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  set_socket_timeouts(socket, wait_ms);
  const auto started = std::chrono::steady_clock::now();
  char byte;
  socket.read_some(asio::buffer(&byte, 1), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return -1;
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target) {
  HttpResult result;
  asio::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  set_socket_timeouts(socket, 5000);
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  request.prepare_payload();
  http::write(socket, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(socket, buffer, response, ec);
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

#include "support/test_connector.hpp"

#include "support/signing_keys.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <sys/socket.h>
#include <sys/time.h>

namespace pse::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using asio::ip::tcp;

struct TestConnector::Impl {
  std::uint16_t port;
  asio::io_context io;
  asio::ssl::context context{asio::ssl::context::tls_client};
  std::optional<websocket::stream<asio::ssl::stream<tcp::socket>>> socket;
  beast::flat_buffer buffer;

  void set_read_timeout(int millis) {
    timeval tv{millis / 1000, (millis % 1000) * 1000};
    setsockopt(socket->next_layer().next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
};

TestConnector::TestConnector(std::uint16_t port, std::filesystem::path ca_file, ClientIdentity identity)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->context.load_verify_file(ca_file.string());
  impl_->context.set_verify_mode(asio::ssl::verify_peer);
  impl_->context.use_certificate_chain_file(identity.cert.string());
  impl_->context.use_private_key_file(identity.key.string(), asio::ssl::context::pem);
}

TestConnector::~TestConnector() {
  stop_ = true;
  if (impl_->socket) drop();  // ends the serving thread's blocking read
  if (server_.joinable()) server_.join();
  beast::error_code ignored;
  if (impl_->socket) impl_->socket->next_layer().next_layer().close(ignored);
}

std::optional<json::object> TestConnector::connect(const std::vector<std::string>& serves) {
  json::array categories;
  for (const auto& category : serves) categories.emplace_back(category);
  return connect_with(json::object{{"type", "hello"}, {"serves", std::move(categories)}});
}

std::optional<json::object> TestConnector::connect_with(const json::object& hello) {
  beast::error_code ec;
  impl_->socket.emplace(impl_->io, impl_->context);
  auto& tcp_socket = impl_->socket->next_layer().next_layer();
  tcp_socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  if (!ec) impl_->set_read_timeout(5000);
  if (!ec) impl_->socket->next_layer().handshake(asio::ssl::stream_base::client, ec);
  if (!ec) impl_->socket->handshake("localhost", "/v1/connect", ec);
  if (ec) {
    error_ = "connect: " + ec.message();
    return std::nullopt;
  }
  send(json::serialize(hello));
  return next();
}

std::optional<std::string> TestConnector::next_frame(int timeout_ms) {
  impl_->set_read_timeout(timeout_ms);
  beast::error_code ec;
  impl_->buffer.consume(impl_->buffer.size());
  impl_->socket->read(impl_->buffer, ec);
  if (ec) {
    error_ = "read: " + ec.message();
    return std::nullopt;
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

std::optional<json::object> TestConnector::next(int timeout_ms) {
  const auto frame = next_frame(timeout_ms);
  if (!frame) return std::nullopt;
  beast::error_code ec;
  json::value value = json::parse(*frame, ec);
  if (ec || !value.is_object()) {
    error_ = "not a JSON object";
    return std::nullopt;
  }
  return value.as_object();
}

void TestConnector::send(const std::string& text) {
  beast::error_code ec;
  impl_->socket->text(true);
  impl_->socket->write(asio::buffer(text), ec);
  if (ec) error_ = "write: " + ec.message();
}

void TestConnector::drop() {
  // shutdown() ends the connection and wakes a thread blocked reading the socket. The
  // descriptor is closed only once no thread reads it (here, or after the serving thread has
  // been joined): closing it under a blocked read races with it, and the number may be reused.
  beast::error_code ignored;
  impl_->socket->next_layer().next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  if (!server_.joinable()) impl_->socket->next_layer().next_layer().close(ignored);
}

void TestConnector::serve(std::function<std::string(const json::object&)> answer) {
  server_ = std::thread([this, answer = std::move(answer)] {
    // Blocking reads, ended by drop() in the destructor or by the broker closing.
    while (!stop_) {
      auto message = next(60'000);
      if (!message) return;
      const std::string reply = answer(*message);
      if (!reply.empty()) send(reply);
    }
  });
}

std::string record_response(const json::object& request, const json::object& record) {
  json::object response{{"type", "response"}, {"id", request.at("id")}, {"record", record}};
  const json::value* sign = request.if_contains("sign");
  if (sign != nullptr && sign->is_bool() && sign->get_bool()) {
    const auto text = [&request](const char* key) { return std::string(request.at(key).as_string()); };
    const integrity::SignedRecord signature = integrity::sign_record(
        record, {text("consumer"), text("subject"), text("category"), text("request_id"), 0}, test_signing_seed());
    json::array disclosures;
    for (const auto& disclosure : signature.disclosures) disclosures.emplace_back(disclosure);
    response["integrity"] = json::object{{"jws", signature.jws}, {"disclosures", std::move(disclosures)}};
  }
  return json::serialize(response);
}

}  // namespace pse::testing

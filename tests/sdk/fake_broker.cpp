#include "fake_broker.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

namespace pse::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct FakeBroker::Impl : std::enable_shared_from_this<FakeBroker::Impl> {
  class HttpSession;
  class ConnectorSession;

  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::thread thread;

  mutable std::mutex mutex;
  std::condition_variable received;
  ExchangeScript script = [](const std::string&) { return FakeAnswer{404, R"({"error":{"code":"not_found"}})"}; };
  HelloAnswer hello = HelloAnswer::ready;
  std::optional<FakeAnswer> upgrade_refusal;
  std::vector<std::string> bodies;
  std::deque<std::string> from_connectors;
  int connection_count = 0;
  int ready_count = 0;

  // I/O thread only.
  std::set<std::shared_ptr<ConnectorSession>> connectors;
  std::set<std::shared_ptr<HttpSession>> http_sessions;

  void accept();
};

class FakeBroker::Impl::ConnectorSession : public std::enable_shared_from_this<ConnectorSession> {
 public:
  ConnectorSession(Impl& impl, TlsStream stream) : impl_(impl), socket_(std::move(stream)) {}

  void start(http::request<http::string_body> upgrade) {
    socket_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->end();
      self->read();
    });
  }

  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1) write_next();
  }

  void end() {
    if (ended_) return;
    ended_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(socket_).socket().close(ignored);
    if (was_ready_) {
      std::lock_guard lock(impl_.mutex);
      --impl_.ready_count;
    }
    impl_.connectors.erase(shared_from_this());
  }

 private:
  void read() {
    socket_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->end();
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->on_message(text);
      self->read();
    });
  }

  void on_message(const std::string& text) {
    HelloAnswer answer;
    {
      std::lock_guard lock(impl_.mutex);
      impl_.from_connectors.push_back(text);
      answer = impl_.hello;
    }
    impl_.received.notify_all();
    if (hello_seen_) return;
    hello_seen_ = true;
    if (answer == HelloAnswer::ready || answer == HelloAnswer::ready_batch) {
      {
        std::lock_guard lock(impl_.mutex);
        ++impl_.ready_count;
      }
      was_ready_ = true;
      send(answer == HelloAnswer::ready ? R"({"type":"ready","connection":"c-1","serves":["identity.birth"]})"
                                        : R"({"type":"ready","connection":"c-1","serves":["identity.birth"],"batch":true})");
    } else if (answer == HelloAnswer::refused_not_owner) {
      send(R"({"type":"refused","error":{"code":"not_category_owner","message":"identity.birth belongs to etat-civil"}})");
    }
  }

  void write_next() {
    socket_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->outbox_.pop_front();
      if (ec) return self->end();
      if (!self->outbox_.empty()) self->write_next();
    });
  }

  Impl& impl_;
  websocket::stream<TlsStream> socket_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool hello_seen_ = false, was_ready_ = false, ended_ = false;
};

class FakeBroker::Impl::HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Impl& impl, tcp::socket socket)
      : impl_(impl), stream_(std::move(socket), impl.tls), timer_(impl.io) {}

  void start() {
    stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->end();
      {
        std::lock_guard lock(self->impl_.mutex);
        ++self->impl_.connection_count;
      }
      self->read();
    });
  }

  void end() {
    timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
    impl_.http_sessions.erase(shared_from_this());
  }

 private:
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->end();
      self->on_request();
    });
  }

  void on_request() {
    if (websocket::is_upgrade(request_)) {
      if (request_.target() != "/v1/connect") return end();
      std::optional<FakeAnswer> refusal;
      {
        std::lock_guard lock(impl_.mutex);
        refusal = impl_.upgrade_refusal;
      }
      if (refusal) {
        answer_ = *refusal;
        answer_.keep_alive = false;
        return respond();
      }
      auto connector = std::make_shared<ConnectorSession>(impl_, std::move(stream_));
      impl_.connectors.insert(connector);
      impl_.http_sessions.erase(shared_from_this());
      connector->start(std::move(request_));
      return;
    }
    ExchangeScript exchange_script;
    {
      std::lock_guard lock(impl_.mutex);
      impl_.bodies.push_back(request_.body());
      exchange_script = impl_.script;
    }
    answer_ = exchange_script(request_.body());
    if (request_.target() != "/v1/exchange" || request_.method() != http::verb::post) {
      answer_ = FakeAnswer{404, R"({"error":{"code":"not_found","message":"no such route"}})"};
    }
    if (answer_.close_without_answer) return end();
    timer_.expires_after(answer_.delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->respond();
    });
  }

  void respond() {
    response_ = {};
    response_.result(static_cast<unsigned>(answer_.status));
    response_.version(11);
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(answer_.keep_alive);
    response_.body() = answer_.body;
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->answer_.keep_alive) return self->end();
      self->read();
    });
  }

  Impl& impl_;
  TlsStream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  FakeAnswer answer_;
};

void FakeBroker::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    auto session = std::make_shared<HttpSession>(*self, std::move(socket));
    self->http_sessions.insert(session);
    session->start();
    self->accept();
  });
}

FakeBroker::FakeBroker(const TestPki& pki) : impl_(std::make_shared<Impl>()) {
  impl_->tls.use_certificate_chain_file(pki.server_cert().string());
  impl_->tls.use_private_key_file(pki.server_key().string(), asio::ssl::context::pem);
  impl_->tls.load_verify_file(pki.ca().string());
  impl_->tls.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

FakeBroker::~FakeBroker() {
  asio::post(impl_->io, [impl = impl_] {
    impl->acceptor.close();
    for (auto& connector : std::set(impl->connectors)) connector->end();
    for (auto& session : std::set(impl->http_sessions)) session->end();
    // No io.stop(): run() returns once every cancelled operation has completed, so no handler
    // (each holding the Impl) is left in the queue to leak.
  });
  impl_->thread.join();
}

std::uint16_t FakeBroker::port() const { return impl_->acceptor.local_endpoint().port(); }

void FakeBroker::on_exchange(ExchangeScript script) {
  std::lock_guard lock(impl_->mutex);
  impl_->script = std::move(script);
}

void FakeBroker::on_hello(HelloAnswer answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->hello = answer;
}

void FakeBroker::refuse_upgrade(FakeAnswer answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->upgrade_refusal = std::move(answer);
}

std::vector<std::string> FakeBroker::exchange_bodies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bodies;
}

int FakeBroker::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connection_count;
}

int FakeBroker::ready_connectors() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->ready_count;
}

std::optional<std::string> FakeBroker::next_from_connector(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  if (!impl_->received.wait_for(lock, timeout, [&] { return !impl_->from_connectors.empty(); })) return std::nullopt;
  std::string text = std::move(impl_->from_connectors.front());
  impl_->from_connectors.pop_front();
  return text;
}

void FakeBroker::send_to_connectors(const std::string& text) {
  asio::post(impl_->io, [impl = impl_, text] {
    for (const auto& connector : impl->connectors) connector->send(text);
  });
}

void FakeBroker::drop_connectors() {
  asio::post(impl_->io, [impl = impl_] {
    for (auto& connector : std::set(impl->connectors)) connector->end();
  });
}

void FakeBroker::drop_http_connections() {
  asio::post(impl_->io, [impl = impl_] {
    for (auto& session : std::set(impl->http_sessions)) session->end();
  });
}

}  // namespace pse::testing

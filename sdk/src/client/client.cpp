// The consumer client: a small pool of keep-alive mTLS connections driven by one I/O thread.
//
// Every piece of mutable state lives on that thread (public calls post to it), so there is no
// lock. A call (an exchange or a publish) waits in a FIFO queue until a connection is free, runs
// one HTTP request on it, and returns the connection to the pool when the broker keeps it alive.
#include <pse/client.hpp>

#include "net/connection.hpp"
#include "net/tls_context.hpp"
#include "wire/exchange_json.hpp"
#include "wire/publish_json.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <future>
#include <set>
#include <thread>

namespace pse {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

// Far above any record the contract allows (the broker bounds bodies with limits.body_bytes).
constexpr std::uint64_t kResponseBodyLimit = 16 * 1024 * 1024;

/// A pooled connection: the TLS stream and the read buffer that belongs with it.
struct Connection {
  std::unique_ptr<net::TlsStream> stream;
  beast::flat_buffer buffer;
};

std::string millis_text(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

}  // namespace

struct Client::Impl {
  class Call;
  template <typename Response>
  class TypedCall;

  explicit Impl(ClientOptions client_options)
      : options(with_defaults(std::move(client_options))),
        tls(net::make_tls_context(options)),
        work(asio::make_work_guard(io)),
        thread([this] { io.run(); }) {}

  static ClientOptions with_defaults(ClientOptions given) {
    if (given.max_connections == 0) given.max_connections = 1;
    return given;
  }

  void enqueue(std::shared_ptr<Call> call);
  void pump();
  void release(std::unique_ptr<Connection> connection, bool keep_alive);
  void shutdown();

  ClientOptions options;
  asio::io_context io;
  asio::ssl::context tls;
  asio::executor_work_guard<asio::io_context::executor_type> work;

  // I/O thread state.
  std::deque<std::shared_ptr<Call>> waiting;
  std::vector<std::unique_ptr<Connection>> idle;
  std::set<std::shared_ptr<Call>> running;
  std::size_t open_connections = 0;  // idle plus in use plus being opened
  bool closing = false;

  std::thread thread;  // last: starts once everything above exists
};

// One HTTP request to the broker and its outcome: the body of the expected success status, or
// the error. TypedCall decodes that body for its public handler.
class Client::Impl::Call : public std::enable_shared_from_this<Call> {
 public:
  Call(Impl& impl, const char* target, int success_status, std::string body, std::string label)
      : impl_(impl),
        label_(std::move(label)),
        success_status_(success_status),
        deadline_(Clock::now() + impl.options.request_timeout),
        timer_(impl.io) {
    request_.method(http::verb::post);
    request_.target(target);
    request_.version(11);
    request_.set(http::field::host, net::verified_name(impl.options));
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::user_agent, "pse-sdk/0.1");
    request_.keep_alive(true);
    request_.body() = std::move(body);
    request_.prepare_payload();
  }

  /// Queued: fail at the deadline if no connection came free by then.
  void wait() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->started_) return;
      auto& queue = self->impl_.waiting;
      std::erase(queue, self);
      self->complete(self->timeout_error());
    });
  }

  /// On a pooled connection (`reused`) or on a new one (nullptr: open it first).
  void start(std::unique_ptr<Connection> connection) {
    started_ = true;
    timer_.cancel();
    impl_.running.insert(shared_from_this());
    if (connection) return send(std::move(connection), true);
    open();
  }

  /// Ends the exchange at once (client shutting down).
  void abort() {
    if (connection_) beast::get_lowest_layer(*connection_->stream).cancel();
    aborted_ = true;
  }

  virtual ~Call() = default;

  /// The success body or the error, exactly once.
  void complete(Result<std::string> body) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    deliver(std::move(body));
  }

  Error aborted_error() const { return make_error(Reason::provider_unavailable, "client shut down"); }

 protected:
  virtual void deliver(Result<std::string> body) = 0;

 private:
  static Error timeout_error_for(std::chrono::milliseconds timeout) {
    return make_error(Reason::provider_unavailable, "no answer from the broker within " + millis_text(timeout));
  }
  Error timeout_error() const { return timeout_error_for(impl_.options.request_timeout); }

  void open() {
    const auto connect_deadline = std::min(deadline_, Clock::now() + impl_.options.connect_timeout);
    net::async_open_tls(impl_.io.get_executor(), impl_.tls, impl_.options, connect_deadline,
                        [self = shared_from_this()](std::string error, std::unique_ptr<net::TlsStream> stream) {
                          if (self->aborted_) return self->finish(nullptr, self->aborted_error(), false);
                          if (!error.empty()) {
                            return self->finish(nullptr, make_error(Reason::provider_unavailable, error), false);
                          }
                          auto connection = std::make_unique<Connection>();
                          connection->stream = std::move(stream);
                          self->send(std::move(connection), false);
                        });
  }

  void send(std::unique_ptr<Connection> connection, bool reused) {
    reused_ = reused;
    connection_ = std::move(connection);
    beast::get_lowest_layer(*connection_->stream).expires_at(deadline_);
    http::async_write(*connection_->stream, request_,
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return self->on_failure(ec, "send the request to the broker");
                        self->receive();
                      });
  }

  void receive() {
    parser_.emplace();
    parser_->body_limit(kResponseBodyLimit);
    http::async_read(*connection_->stream, connection_->buffer, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (ec) return self->on_failure(ec, "read the broker's answer");
                       self->on_response();
                     });
  }

  void on_response() {
    auto& response = parser_->get();
    const bool keep_alive = response.keep_alive();
    const int status = static_cast<int>(response.result_int());
    if (status == success_status_) return finish(std::move(connection_), std::move(response.body()), keep_alive);
    Error error = wire::decode_error_body(status, response.body());
    error.message += (error.message.empty() ? "" : " ") + std::string("(") + label_ + ")";
    finish(std::move(connection_), std::move(error), keep_alive);
  }

  void on_failure(const boost::system::error_code& ec, const char* what) {
    if (aborted_) return finish(nullptr, aborted_error(), false);
    if (ec == beast::error::timeout) return finish(nullptr, timeout_error(), false);
    // A pooled connection the broker closed while it sat idle fails at once, before any byte
    // of an answer: send again, once, on a new connection. The request id makes it safe.
    const bool nothing_received = !parser_ || !parser_->got_some();
    if (reused_ && !retried_ && nothing_received) {
      retried_ = true;
      connection_.reset();
      return open();
    }
    finish(nullptr, make_error(Reason::provider_unavailable, std::string("cannot ") + what + ": " + net::describe_error(ec)),
           false);
  }

  void finish(std::unique_ptr<Connection> connection, Result<std::string> result, bool keep_alive) {
    connection_.reset();
    impl_.running.erase(shared_from_this());
    complete(std::move(result));
    impl_.release(std::move(connection), keep_alive);
  }

  Impl& impl_;
  std::string label_;  // names the call in error messages, e.g. "request rq-1"
  int success_status_;
  Clock::time_point deadline_;
  asio::steady_timer timer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::unique_ptr<Connection> connection_;
  bool started_ = false, reused_ = false, retried_ = false, aborted_ = false, done_ = false;
};

// A Call whose success body is decoded into `Response` and handed to the caller's handler, on
// the handler's associated executor.
template <typename Response>
class Client::Impl::TypedCall final : public Call {
 public:
  using Handler = asio::any_completion_handler<void(Result<Response>)>;
  using Decoder = Result<Response> (*)(std::string_view body);

  TypedCall(Impl& impl, const char* target, int success_status, std::string body, std::string label, Decoder decode,
            Handler handler)
      : Call(impl, target, success_status, std::move(body), std::move(label)),
        decode_(decode),
        handler_(std::move(handler)),
        work_(asio::prefer(asio::get_associated_executor(handler_, impl.io.get_executor()),
                           asio::execution::outstanding_work.tracked)) {}

 private:
  void deliver(Result<std::string> body) override {
    asio::dispatch(work_, asio::append(std::move(handler_), decoded(std::move(body))));
  }

  Result<Response> decoded(Result<std::string> body) const {
    if (!body) return body.error();
    auto response = decode_(*body);
    // The broker said yes but the body breaks the contract: not something a retry fixes.
    if (!response) return make_error(Reason::provider_error, response.error().message);
    return response;
  }

  Decoder decode_;
  Handler handler_;
  asio::any_completion_executor work_;
};

void Client::Impl::enqueue(std::shared_ptr<Call> call) {
  if (closing) return call->complete(call->aborted_error());
  waiting.push_back(call);
  call->wait();
  pump();
}

void Client::Impl::pump() {
  while (!closing && !waiting.empty()) {
    std::unique_ptr<Connection> connection;
    if (!idle.empty()) {
      connection = std::move(idle.back());
      idle.pop_back();
    } else if (open_connections < options.max_connections) {
      ++open_connections;
    } else {
      return;
    }
    auto call = std::move(waiting.front());
    waiting.pop_front();
    call->start(std::move(connection));
  }
}

void Client::Impl::release(std::unique_ptr<Connection> connection, bool keep_alive) {
  if (connection && keep_alive && !closing) {
    beast::get_lowest_layer(*connection->stream).expires_never();
    idle.push_back(std::move(connection));
  } else {
    // Closing the socket without a TLS close_notify: the broker treats it as the end of a
    // keep-alive connection, and waiting for its reply could stall us.
    --open_connections;
  }
  pump();
}

void Client::Impl::shutdown() {
  closing = true;
  for (auto& call : waiting) call->complete(call->aborted_error());
  waiting.clear();
  idle.clear();
  for (const auto& call : running) call->abort();
}

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Client::~Client() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->shutdown(); });
  impl_->work.reset();
  impl_->thread.join();
}

void Client::start_exchange(ExchangeRequest request, ExchangeHandler handler) {
  std::string request_id = request.request_id.value_or(make_request_id());
  std::string body = wire::encode_exchange_request(request, request_id);
  std::shared_ptr<Impl::Call> call = std::make_shared<Impl::TypedCall<ExchangeResponse>>(
      *impl_, "/v1/exchange", 200, std::move(body), "request " + request_id, &wire::decode_exchange_response,
      std::move(handler));
  asio::post(impl_->io, [impl = impl_.get(), call = std::move(call)]() mutable { impl->enqueue(std::move(call)); });
}

void Client::start_publish(PublishRequest request, PublishHandler handler) {
  std::string body = wire::encode_publish_request(request);
  std::shared_ptr<Impl::Call> call = std::make_shared<Impl::TypedCall<PublishResponse>>(
      *impl_, "/v1/publish", 202, std::move(body), "idempotency key " + request.idempotency_key,
      &wire::decode_publish_response, std::move(handler));
  asio::post(impl_->io, [impl = impl_.get(), call = std::move(call)]() mutable { impl->enqueue(std::move(call)); });
}

Result<PublishResponse> Client::publish(const PublishRequest& request) {
  if (impl_->io.get_executor().running_in_this_thread()) {
    return make_error(Reason::internal_error, "publish() called on the client's own thread; use async_publish()");
  }
  std::promise<Result<PublishResponse>> promise;
  auto future = promise.get_future();
  start_publish(request, PublishHandler([&promise](Result<PublishResponse> result) { promise.set_value(std::move(result)); }));
  return future.get();
}

Result<ExchangeResponse> Client::exchange(const ExchangeRequest& request) {
  if (impl_->io.get_executor().running_in_this_thread()) {
    return make_error(Reason::internal_error, "exchange() called on the client's own thread; use async_exchange()");
  }
  std::promise<Result<ExchangeResponse>> promise;
  auto future = promise.get_future();
  start_exchange(request, ExchangeHandler([&promise](Result<ExchangeResponse> result) {
                   promise.set_value(std::move(result));
                 }));
  return future.get();
}

}  // namespace pse

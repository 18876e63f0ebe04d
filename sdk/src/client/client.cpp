// The consumer client: a small pool of keep-alive mTLS connections per broker, driven by one
// I/O thread.
//
// Every piece of mutable state lives on that thread (public calls post to it), so there is no
// lock. A call (an exchange or a publish) waits in a FIFO queue until a connection is free on
// some broker (taken in turn), runs one HTTP request on it, and returns the connection to that
// broker's pool when the broker keeps it alive. Where it is safe, a call that failed on one
// broker runs again on another (see client.hpp, "Retries").
#include <pse/client.hpp>

#include "crypto/key_text.hpp"
#include "net/brokers.hpp"
#include "net/connection.hpp"
#include "net/own_identity.hpp"
#include "net/tls_context.hpp"
#include "client/prepared_publish.hpp"
#include "integrity/minimised_record.hpp"
#include "seal/sealed_record.hpp"
#include "wire/exchange_json.hpp"
#include "wire/publish_json.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>


#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace pse {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

// How long a publisher keeps a category's sealing plan before reading it again.
constexpr auto kSealingPlanLifetime = std::chrono::minutes(1);

}  // namespace

// `text` as one segment of a request path: unreserved characters as they are, others %XX.
std::string path_segment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

namespace {

// Far above any record the contract allows (the broker bounds bodies with limits.body_bytes).
constexpr std::uint64_t kResponseBodyLimit = 16 * 1024 * 1024;

/// A pooled connection: the TLS stream and the read buffer that belongs with it.
struct Connection {
  std::unique_ptr<net::TlsStream> stream;
  beast::flat_buffer buffer;
};

std::string millis_text(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

// The broker did nothing with the request and says so: another broker may take it.
bool retry_elsewhere(Reason reason) {
  return reason == Reason::shutting_down || reason == Reason::audit_unavailable ||
         reason == Reason::store_unavailable || reason == Reason::overloaded || reason == Reason::request_in_progress;
}

// Rounds over every broker when none can be reached: three, 150 ms of waiting in all.
constexpr int kUnreachableRounds = 3;

// Before the next round over brokers that all failed: 50 ms, doubling, at most 1 s.
std::chrono::milliseconds round_delay(int rounds) {
  return std::chrono::milliseconds(std::min(50 << std::min(rounds, 5), 1000));
}

}  // namespace

struct Client::Impl {
  class Call;
  template <typename Response>
  class TypedCall;

  // One broker's pool.
  struct Broker {
    ClientOptions options;  // its host and port
    std::vector<std::unique_ptr<Connection>> idle;
    std::size_t open_connections = 0;  // idle plus in use plus being opened
  };

  explicit Impl(ClientOptions client_options)
      : options(with_defaults(std::move(client_options))),
        encryption_key(crypto::key_of_option(options.encryption_key_file, "encryption key")),
        signing_key(crypto::key_of_option(options.signing_key_file, "signing key")),
        organisation(options.signing_keys_dir.empty() && options.signing_key_file.empty()
                         ? std::string()
                         : net::organisation_of_certificate(options.certificate_file).value_or("")),
        tls(net::make_tls_context(options)),
        work(asio::make_work_guard(io)),
        thread([this] { io.run(); }) {
    for (ClientOptions& each : net::each_broker(options)) brokers.push_back(Broker{std::move(each), {}, 0});
  }

  static ClientOptions with_defaults(ClientOptions given) {
    if (given.max_connections == 0) given.max_connections = 1;
    return given;
  }

  /// Queues `call` (in front: a call that failed on a broker keeps its turn).
  void enqueue(std::shared_ptr<Call> call, bool front = false);
  void pump();
  /// The next broker in turn with a free or possible connection, that `call` has not failed on.
  std::optional<std::size_t> choose_broker(const Call& call);
  void release(std::size_t broker, std::unique_ptr<Connection> connection, bool keep_alive);
  void shutdown();
  /// Signs and seals `request` by `plan`, then sends it (I/O thread).
  void publish_prepared(PublishRequest request, const wire::SealingPlan& plan, PublishHandler handler);

  ClientOptions options;
  std::optional<seal::Key> encryption_key;  // from options.encryption_key_file, when set
  std::optional<integrity::Key> signing_key;  // from options.signing_key_file, when set
  // Of the certificate: the audience of the providers' signatures, the publisher of its events.
  std::string organisation;
  asio::io_context io;
  asio::ssl::context tls;
  asio::executor_work_guard<asio::io_context::executor_type> work;

  // I/O thread state (`brokers` is filled by the constructor, before any call).
  std::vector<Broker> brokers;
  std::size_t next_broker = 0;
  std::deque<std::shared_ptr<Call>> waiting;
  std::set<std::shared_ptr<Call>> running;
  bool closing = false;
  // Per category, when it was read and what to seal for whom (start_publish).
  std::map<std::string, std::pair<Clock::time_point, wire::SealingPlan>, std::less<>> sealing_plans;

  std::thread thread;  // last: starts once everything above exists
};

// One HTTP request to the broker and its outcome: the body of the expected success status, or
// the error. TypedCall decodes that body for its public handler.
class Client::Impl::Call : public std::enable_shared_from_this<Call> {
 public:
  /// `replayable`: running the request twice does it once (a publish, by its idempotency key),
  /// so it may run again on another broker even after the connection was lost mid-way.
  /// `success_status` 0 takes any 2xx.
  Call(Impl& impl, http::verb method, std::string_view target, int success_status, std::string body, std::string label,
       bool replayable)
      : impl_(impl),
        label_(std::move(label)),
        success_status_(success_status),
        replayable_(replayable),
        deadline_(Clock::now() + impl.options.request_timeout),
        timer_(impl.io) {
    request_.method(method);
    request_.target(target);
    request_.version(11);

    if (method == http::verb::post) request_.set(http::field::content_type, "application/json");
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

  /// On `broker`, on a pooled connection (`reused`) or on a new one (nullptr: open it first).
  void start(std::size_t broker, std::unique_ptr<Connection> connection) {
    started_ = true;
    broker_ = broker;
    timer_.cancel();
    impl_.running.insert(shared_from_this());
    request_.set(http::field::host, net::verified_name(broker_options()));
    if (connection) return send(std::move(connection), true);
    open();
  }

  bool failed_on(std::size_t broker) const { return failed_on_.contains(broker); }

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

  const ClientOptions& broker_options() const { return impl_.brokers[broker_].options; }

  void open() {
    const auto connect_deadline = std::min(deadline_, Clock::now() + impl_.options.connect_timeout);
    net::async_open_tls(impl_.io.get_executor(), impl_.tls, broker_options(), connect_deadline,
                        [self = shared_from_this()](std::string error, std::unique_ptr<net::TlsStream> stream) {
                          if (self->aborted_) return self->finish(nullptr, self->aborted_error(), false);
                          if (!error.empty()) {  // nothing was sent: safe on another broker
                            return self->try_elsewhere(nullptr, make_error(Reason::provider_unavailable, error), false, false);
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
    const bool success = success_status_ == 0 ? status / 100 == 2 : status == success_status_;
    if (success) return finish(std::move(connection_), std::move(response.body()), keep_alive);
    Error error = wire::decode_error_body(status, response.body());
    error.message += (error.message.empty() ? "" : " ") + std::string("(") + label_ + ")";
    if (status == 503 && retry_elsewhere(error.reason)) return try_elsewhere(std::move(connection_), error, keep_alive, true);
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
    Error error = make_error(Reason::provider_unavailable, std::string("cannot ") + what + ": " + net::describe_error(ec));
    // Sent, perhaps done: only a request that runs once however often it is sent goes again.
    if (replayable_) return try_elsewhere(nullptr, std::move(error), false, false);
    finish(nullptr, std::move(error), false);
  }

  void finish(std::unique_ptr<Connection> connection, Result<std::string> result, bool keep_alive) {
    connection_.reset();
    impl_.running.erase(shared_from_this());
    complete(std::move(result));
    impl_.release(broker_, std::move(connection), keep_alive);
  }

  // Queued again for another broker, at once, while one is left to try. Once all have failed,
  // all are tried again after a growing delay: until the deadline when a broker answered
  // "later" (`answered`), for kUnreachableRounds when none could be reached (a broker
  // restarting is back by then; a wrong address or certificate must not cost the whole
  // request timeout).
  void try_elsewhere(std::unique_ptr<Connection> connection, Error error, bool keep_alive, bool answered) {
    failed_on_.insert(broker_);
    auto delay = std::chrono::milliseconds(0);
    if (failed_on_.size() >= impl_.brokers.size()) {
      if (!answered && rounds_ + 1 >= kUnreachableRounds) return finish(std::move(connection), std::move(error), keep_alive);
      failed_on_.clear();
      delay = round_delay(rounds_++);
    }
    if (impl_.closing || Clock::now() + delay >= deadline_) return finish(std::move(connection), std::move(error), keep_alive);
    connection_.reset();
    impl_.running.erase(shared_from_this());
    started_ = false;
    reused_ = retried_ = false;
    parser_.reset();
    impl_.release(broker_, std::move(connection), keep_alive);
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->done_) return;
      self->impl_.enqueue(self, /*front=*/true);
    });
  }

  Impl& impl_;
  std::string label_;  // names the call in error messages, e.g. "request rq-1"
  int success_status_;
  bool replayable_;
  std::size_t broker_ = 0;            // where it runs now
  std::set<std::size_t> failed_on_;   // brokers it failed on in this round
  int rounds_ = 0;                    // rounds over every broker that all failed
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
  /// Runs on the decoded outcome before the handler gets it (e.g. opening a sealed record).
  using Then = std::function<Result<Response>(Result<Response>)>;

  TypedCall(Impl& impl, http::verb method, std::string_view target, int success_status, std::string body,
            std::string label, bool replayable, Decoder decode, Handler handler, Then then = {})
      : Call(impl, method, target, success_status, std::move(body), std::move(label), replayable),
        decode_(decode),
        then_(std::move(then)),
        handler_(std::move(handler)),
        work_(asio::prefer(asio::get_associated_executor(handler_, impl.io.get_executor()),
                           asio::execution::outstanding_work.tracked)) {}

 private:
  void deliver(Result<std::string> body) override {
    Result<Response> outcome = decoded(std::move(body));
    if (then_) outcome = then_(std::move(outcome));
    asio::dispatch(work_, asio::append(std::move(handler_), std::move(outcome)));
  }

  Result<Response> decoded(Result<std::string> body) const {
    if (!body) return body.error();
    auto response = decode_(*body);
    // The broker said yes but the body breaks the contract: not something a retry fixes.
    if (!response) return make_error(Reason::provider_error, response.error().message);
    return response;
  }

  Decoder decode_;
  Then then_;
  Handler handler_;
  asio::any_completion_executor work_;
};

void Client::Impl::enqueue(std::shared_ptr<Call> call, bool front) {
  if (closing) return call->complete(call->aborted_error());
  if (front) {
    waiting.push_front(call);
  } else {
    waiting.push_back(call);
  }
  call->wait();
  pump();
}

std::optional<std::size_t> Client::Impl::choose_broker(const Call& call) {
  for (std::size_t k = 0; k < brokers.size(); ++k) {
    const std::size_t i = (next_broker + k) % brokers.size();
    const Broker& broker = brokers[i];
    if (call.failed_on(i) || (broker.idle.empty() && broker.open_connections >= options.max_connections)) continue;
    next_broker = (i + 1) % brokers.size();
    return i;
  }
  return std::nullopt;
}

void Client::Impl::pump() {
  while (!closing && !waiting.empty()) {
    const auto chosen = choose_broker(*waiting.front());
    if (!chosen) return;  // first in, first served: the others wait behind it
    Broker& broker = brokers[*chosen];
    std::unique_ptr<Connection> connection;
    if (!broker.idle.empty()) {
      connection = std::move(broker.idle.back());
      broker.idle.pop_back();
    } else {
      ++broker.open_connections;
    }
    auto call = std::move(waiting.front());
    waiting.pop_front();
    call->start(*chosen, std::move(connection));
  }
}

void Client::Impl::release(std::size_t broker, std::unique_ptr<Connection> connection, bool keep_alive) {
  Broker& pool = brokers[broker];
  if (connection && keep_alive && !closing) {
    beast::get_lowest_layer(*connection->stream).expires_never();
    pool.idle.push_back(std::move(connection));
  } else {
    // Closing the socket without a TLS close_notify: the broker treats it as the end of a
    // keep-alive connection, and waiting for its reply could stall us.
    --pool.open_connections;
  }
  pump();
}

void Client::Impl::shutdown() {
  closing = true;
  for (auto& call : waiting) call->complete(call->aborted_error());
  waiting.clear();
  for (Broker& broker : brokers) broker.idle.clear();
  for (const auto& call : running) call->abort();
}

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Client::~Client() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->shutdown(); });
  impl_->work.reset();
  impl_->thread.join();
}

// A record sealed for this consumer is opened here, before the caller sees the answer: with the
// organisation's encryption key, into `record` (keeping only the fields that were asked for) and,
// when the provider signed it, its signature (checked next, as one in clear).
static Result<ExchangeResponse> open_sealed(Result<ExchangeResponse> answer, const std::optional<seal::Key>& key,
                                            const std::vector<std::string>& asked) {
  if (!answer || answer->sealed_record.empty()) return answer;
  if (!key) {
    return make_error(Reason::decryption_failed,
                      "the record is sealed for your organisation and no encryption_key_file is set (request " +
                          answer->request_id + ")");
  }
  auto opened = seal::open_record(answer->sealed_record, *key);
  if (!opened) return opened.error();
  integrity::MinimisedRecord kept = integrity::minimise(
      opened->record, asked, opened->signature.jws.empty() ? std::nullopt : std::optional(opened->signature));
  answer->record = std::move(kept.record);
  if (kept.signature) answer->signature = std::move(*kept.signature);
  return answer;
}

// A signed answer is checked here against the provider's key as the platform distributes it,
// when the organisation keeps those keys (ClientOptions::signing_keys_dir).
static Result<ExchangeResponse> check_signature(Result<ExchangeResponse> answer, const std::filesystem::path& keys_dir,
                                                const ExchangeRequest& asked, const std::string& consumer) {
  if (!answer || answer->signature.jws.empty() || keys_dir.empty()) return answer;
  auto key = crypto::registered_key(keys_dir, asked.provider);
  if (!key) return key.error();
  auto proof = integrity::verify_record(answer->record, answer->signature, *key,
                                        {consumer, asked.subject, asked.category, answer->request_id, 0});
  if (!proof) return make_error(Reason::integrity_failed, proof.error().message + " (request " + answer->request_id + ")");
  answer->proof = std::move(*proof);
  return answer;
}

void Client::start_exchange(ExchangeRequest request, ExchangeHandler handler) {
  std::string request_id = request.request_id.value_or(make_request_id());
  std::string body = wire::encode_exchange_request(request, request_id);
  std::shared_ptr<Impl::Call> call = std::make_shared<Impl::TypedCall<ExchangeResponse>>(
      // The brokers of a hub answer a request id once whichever of them each attempt reaches;
      // one broker alone may have restarted and forgotten it.
      *impl_, http::verb::post, "/v1/exchange", 200, std::move(body), "request " + request_id, /*replayable=*/impl_->brokers.size() > 1,
      &wire::decode_exchange_response, std::move(handler),
      [impl = impl_.get(), asked = request](Result<ExchangeResponse> answer) {
        return check_signature(open_sealed(std::move(answer), impl->encryption_key, asked.fields),
                               impl->options.signing_keys_dir, asked, impl->organisation);
      });
  asio::post(impl_->io, [impl = impl_.get(), call = std::move(call)]() mutable { impl->enqueue(std::move(call)); });
}

// Before an event leaves, the publisher learns from the broker which recipients' rules require
// it sealed (kept a minute per category: a rule changed since is met by a refusal, audited
// sealing_unavailable, until the plan is read again), then signs and seals it.
void Client::start_publish(PublishRequest request, PublishHandler handler) {
  asio::post(impl_->io, [impl = impl_.get(), request = std::move(request), handler = std::move(handler)]() mutable {
    const auto cached = impl->sealing_plans.find(request.category);
    if (cached != impl->sealing_plans.end() && Clock::now() < cached->second.first + kSealingPlanLifetime) {
      return impl->publish_prepared(std::move(request), cached->second.second, std::move(handler));
    }
    std::string target = "/v1/publish/sealing/" + path_segment(request.category);
    std::string label = "sealing plan of " + request.category;
    auto then = [impl, request = std::move(request),
                 handler = std::move(handler)](Result<wire::SealingPlan> plan) mutable {
      if (!plan) return asio::dispatch(asio::append(std::move(handler), Result<PublishResponse>(plan.error())));
      auto& entry = impl->sealing_plans[request.category];
      entry = {Clock::now(), std::move(*plan)};
      impl->publish_prepared(std::move(request), entry.second, std::move(handler));
    };
    impl->enqueue(std::make_shared<Impl::TypedCall<wire::SealingPlan>>(
        *impl, http::verb::get, target, 200, std::string(), std::move(label), /*replayable=*/true,
        &wire::decode_sealing_plan, std::move(then)));
  });
}

void Client::Impl::publish_prepared(PublishRequest request, const wire::SealingPlan& plan, PublishHandler handler) {
  const wire::PreparedPublish prepared =
      prepare_publish(request, plan, PublisherKeys{organisation, signing_key, options.encryption_keys_dir});
  std::string body = wire::encode_publish_request(request, prepared);
  enqueue(std::make_shared<TypedCall<PublishResponse>>(
      *this, http::verb::post, "/v1/publish", 202, std::move(body), "idempotency key " + request.idempotency_key,
      /*replayable=*/true, &wire::decode_publish_response, std::move(handler)));
}

static Result<boost::json::object> decode_json_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return make_error(Reason::provider_error, "the broker's answer is not a JSON object");
  return std::move(value.as_object());
}

Result<boost::json::object> Client::registry(RegistryMethod method, const std::string& target,
                                             const boost::json::object& body) {
  if (impl_->io.get_executor().running_in_this_thread()) {
    return make_error(Reason::internal_error, "registry() called on the client's own thread");
  }
  // Only registry paths, and nothing that could end the request line or start another header.
  const bool registry_target = target.starts_with("/v1/consents") || target.starts_with("/v1/mandates") ||
                               target.starts_with("/v1/subjects/");
  const bool clean = std::all_of(target.begin(), target.end(), [](char c) { return c > ' ' && c < 127; });
  if (!registry_target || !clean) return make_error(Reason::malformed_request, "not a consent registry path");
  const bool post = method == RegistryMethod::post;
  std::promise<Result<boost::json::object>> promise;
  auto future = promise.get_future();
  auto call = std::make_shared<Impl::TypedCall<boost::json::object>>(
      *impl_, post ? http::verb::post : http::verb::get, target, 0, post ? boost::json::serialize(body) : std::string(),
      // The label names no path: a path holds the citizen's identifier.
      post ? "registry POST" : "registry GET", /*replayable=*/!post,
      &decode_json_object, Impl::TypedCall<boost::json::object>::Handler([&promise](Result<boost::json::object> answer) {
        promise.set_value(std::move(answer));
      }));
  asio::post(impl_->io, [impl = impl_.get(), call = std::move(call)]() mutable { impl->enqueue(std::move(call)); });
  return future.get();
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

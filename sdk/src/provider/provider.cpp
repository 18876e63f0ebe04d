// The provider connector: one WebSocket to each broker of the hub (a Link), each reconnected
// with its own backoff, and a small thread pool for the handler that all links share.
//
// Connection state lives on the I/O thread (the one inside run()); the handler runs on the pool
// and posts its answer back. Each pool task holds outstanding work on the I/O context, so run()
// returns only when the connection is closed and every handler has returned. With
// handler_threads = 0 there is no pool: the handler runs on the I/O thread itself.
#include <pse/provider.hpp>
#include <pse/record_proof.hpp>

#include "crypto/key_text.hpp"
#include "net/brokers.hpp"
#include "net/connection.hpp"
#include "net/tls_context.hpp"
#include "provider/backoff.hpp"
#include "integrity/minimised_record.hpp"
#include "seal/sealed_record.hpp"
#include "wire/connector_json.hpp"
#include "wire/exchange_json.hpp"
#include "wire/publish_json.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace pse {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

// Far above what the contract allows the broker to send (limits.body_bytes).
constexpr std::size_t kMessageLimit = 16 * 1024 * 1024;
// A frame of several answers stays under this; a larger answer goes alone. Well under the
// broker's limits.body_bytes (1 MiB by default).
constexpr std::size_t kMaxBatchBytes = 64 * 1024;
// And at most this many: larger frames make the broker wait for the whole frame's answers
// (measured in bench/RESULTS.md).
constexpr int kMaxBatchMessages = 8;
// A broker that stays silent this long (our pings unanswered) is gone: reconnect.
constexpr std::chrono::seconds kIdleTimeout{30};

}  // namespace

struct Provider::Impl : std::enable_shared_from_this<Provider::Impl> {
  class Session;
  struct Link;
  // idle: never run yet (wait_ready waits for a run to begin); stopped: a run has ended.
  enum class State { idle, stopped, running, refused };

  Impl(ClientOptions client_options, ProviderOptions given)
      : options(std::move(client_options)),
        provider_options(given),
        tls(net::make_tls_context(options)),
        signing_key(crypto::key_of_option(options.signing_key_file, "signing key")),
        encryption_key(crypto::key_of_option(options.encryption_key_file, "encryption key")) {
    provider_options.max_in_flight = std::clamp<std::size_t>(provider_options.max_in_flight, 1, 1024);
  }

  Status begin();
  Status loop();
  void request_stop();
  void on_refused(Error error);
  void changed(std::function<void()> update);  // under `mutex`, then notify
  bool all_ready() const;                      // `mutex` held

  ClientOptions options;
  ProviderOptions provider_options;
  asio::ssl::context tls;
  std::optional<integrity::Key> signing_key;  // from options.signing_key_file, when set
  std::optional<seal::Key> encryption_key;    // from options.encryption_key_file: opens sealed deliveries
  std::vector<std::string> categories;  // as given to serve(), under `mutex`
  ProviderHandler handler;
  std::vector<Subscription> subscriptions;  // as given to subscribe(), under `mutex`
  DeliveryHandler delivery_handler;
  // What the current run serves, copied by begin(): a serve() during a run cannot race with it.
  std::vector<std::string> active_categories;
  ProviderHandler active_handler;
  std::vector<Subscription> active_subscriptions;
  DeliveryHandler active_delivery_handler;

  asio::io_context io;
  std::optional<asio::thread_pool> pool;
  std::vector<std::unique_ptr<Link>> links;  // made by loop(); their states under `mutex`
  bool stopping = false;                     // I/O thread only

  std::mutex mutex;  // guards what other threads read: state, the links' states, errors, running
  std::condition_variable state_changed;
  State state = State::idle;
  bool running = false;
  std::string last_error = "not connected yet";  // before any link exists
  std::optional<Error> refusal;
  std::thread background;
};

// The connection to one broker, reconnected with backoff; its session lives on the I/O thread.
struct Provider::Impl::Link {
  Link(Impl& owner, ClientOptions link_options)
      : impl(owner),
        options(std::move(link_options)),
        backoff(owner.provider_options.reconnect_initial, owner.provider_options.reconnect_max, std::random_device{}()),
        reconnect_timer(owner.io) {}

  void connect();
  void on_ready();
  void on_session_end(const std::string& error);
  std::string name() const { return options.host + ":" + std::to_string(options.port); }

  Impl& impl;
  ClientOptions options;
  provider::Backoff backoff;
  asio::steady_timer reconnect_timer;
  std::shared_ptr<Session> session;
  bool ready = false;                          // under impl.mutex
  std::string last_error = "not connected yet";  // under impl.mutex
};

class Provider::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Link& link, net::TlsStream stream)
      : link_(link), impl_(link.impl), socket_(std::move(stream)), ready_timer_(link.impl.io) {}

  void start() {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = link_.options.connect_timeout;
    timeouts.idle_timeout = kIdleTimeout;
    timeouts.keep_alive_pings = true;
    socket_.set_option(timeouts);
    socket_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& request) { request.set(beast::http::field::user_agent, "pse-sdk/0.1"); }));
    socket_.read_message_max(kMessageLimit);
    socket_.text(true);
    // The broker must say ready (or refused) within the connect timeout, hello included.
    ready_timer_.expires_after(link_.options.connect_timeout);
    ready_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && !self->ready_) self->end("the broker did not answer hello within the connect timeout");
    });
    const std::string host = net::verified_name(link_.options) + ":" + std::to_string(link_.options.port);
    socket_.async_handshake(upgrade_response_, host, "/v1/connect", [self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return self->end(self->upgrade_failure(ec));
      self->upgraded_ = true;
      self->send(wire::encode_hello(self->impl_.active_categories, self->impl_.active_subscriptions,
                                    self->impl_.provider_options.max_in_flight));
      self->read();
    });
  }

  /// Closes the connection politely (stop()); the read loop then ends the session. Beast
  /// counts a close as a write, so it waits for the write in progress.
  void close() {
    if (closed_ || closing_) return;
    // Before the upgrade completes there is no WebSocket to close, and a close would read
    // alongside the handshake's own read.
    if (!upgraded_) return end("closed");
    closing_ = true;
    if (!writing_) start_close();
  }

  /// A handler's answer, back on the I/O thread.
  void answered(std::string message) {
    --in_flight_;
    if (!closed_ && !closing_) send(std::move(message));
  }

 private:
  // A broker that answers the upgrade with an HTTP error says why in its JSON error body.
  std::string upgrade_failure(const boost::system::error_code& ec) const {
    const int status = static_cast<int>(upgrade_response_.result_int());
    if (status == 0 || status == 101) return "WebSocket upgrade: " + net::describe_error(ec);
    const Error error = wire::decode_error_body(status, upgrade_response_.body());
    return "WebSocket upgrade refused (HTTP " + std::to_string(status) + "): " + std::string(to_string(error.reason)) +
           (error.message.empty() ? "" : ": " + error.message);
  }

  void read() {
    socket_.async_read(buffer_, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
      if (ec) return self->end(ec == websocket::error::closed ? "the broker closed the connection"
                                                             : "connection lost: " + net::describe_error(ec));
      const std::string frame = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      // Once the broker's ready (always a frame of its own) says "batch", a frame may hold
      // several messages, one per line.
      if (!self->batch_) {
        self->on_message(frame);
        if (!self->closed_) self->read();
        return;
      }
      std::string_view rest = frame;
      while (!self->closed_) {
        const std::size_t end = rest.find('\n');
        self->on_message(rest.substr(0, end));
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
      }
      if (!self->closed_) self->read();
    });
  }

  void on_message(std::string_view text) {
    auto decoded = wire::decode_broker_message(text);
    if (!decoded) {
      // Answer a broken request rather than leave its consumer waiting for the timeout.
      if (auto id = wire::request_id_of_malformed(text)) send(wire::encode_error_response(*id, decoded.error()));
      return;
    }
    auto& message = *decoded;
    if (auto* request = std::get_if<ProviderRequest>(&message)) return on_request(std::move(*request));
    if (auto* delivery = std::get_if<Delivery>(&message)) return on_delivery(std::move(*delivery));
    if (auto* ready = std::get_if<wire::ReadyMessage>(&message)) {
      ready_ = true;
      batch_ = ready->batch;
      ready_timer_.cancel();
      return link_.on_ready();
    }
    if (auto* refused = std::get_if<wire::RefusedMessage>(&message)) {
      refused_ = true;
      impl_.on_refused(refused->error);
      return close();
    }
    // An `error` message reports something we sent; before ready it means hello failed.
    const auto& error = std::get<wire::BrokerErrorMessage>(message).error;
    if (!ready_) end("the broker answered hello with " + std::string(to_string(error.reason)) + ": " + error.message);
  }

  void on_request(ProviderRequest request) {
    if (!ready_) return;
    if (in_flight_ >= impl_.provider_options.max_in_flight) {
      // The broker promised not to exceed max_in_flight; answer rather than queue without bound.
      return send(wire::encode_error_response(request.id, make_error(Reason::overloaded, "max_in_flight reached")));
    }
    ++in_flight_;
    if (!impl_.pool) return answered(run_handler(impl_.active_handler, request, impl_));  // handler_threads = 0
    auto work = asio::prefer(impl_.io.get_executor(), asio::execution::outstanding_work.tracked);
    asio::post(*impl_.pool, [self = shared_from_this(), request = std::move(request), work]() mutable {
      std::string message = run_handler(self->impl_.active_handler, request, self->impl_);
      asio::post(work, [self, message = std::move(message)]() mutable { self->answered(std::move(message)); });
    });
  }

  // Deliveries share the handler pool with requests. The broker sends at most max_in_flight
  // unacknowledged deliveries, so this cannot grow without bound.
  void on_delivery(Delivery delivery) {
    if (!ready_ || !impl_.active_delivery_handler) return;  // never acked: the broker redelivers
    ++in_flight_;
    if (!impl_.pool) {
      return answered(run_delivery_handler(impl_.active_delivery_handler, delivery, impl_));
    }
    auto work = asio::prefer(impl_.io.get_executor(), asio::execution::outstanding_work.tracked);
    asio::post(*impl_.pool, [self = shared_from_this(), delivery = std::move(delivery), work]() mutable {
      std::string message = run_delivery_handler(self->impl_.active_delivery_handler, delivery, self->impl_);
      asio::post(work, [self, message = std::move(message)]() mutable { self->answered(std::move(message)); });
    });
  }

  // An event sealed for this organisation is opened with its encryption key, its signature
  // (inside the seal) with it.
  static Status open_sealed_delivery(Delivery& delivery, const std::optional<seal::Key>& key) {
    if (delivery.sealed_record.empty()) return Done{};
    if (!key) {
      return make_error(Reason::decryption_failed, "the event is sealed for your organisation and no encryption_key_file is set");
    }
    auto opened = seal::open_record(delivery.sealed_record, *key);
    if (!opened) return opened.error();
    delivery.record = std::move(opened->record);
    delivery.signature = std::move(opened->signature);
    return Done{};
  }

  // A signed event is checked against its publisher's key before the handler sees it, when
  // the organisation keeps the platform's signing keys (ClientOptions::signing_keys_dir).
  static Status check_delivery_signature(Delivery& delivery, const std::filesystem::path& keys_dir) {
    if (delivery.signature.jws.empty() || keys_dir.empty()) return Done{};
    auto key = crypto::registered_key(keys_dir, delivery.publisher);
    if (!key) return key.error();
    auto proof = integrity::verify_record(delivery.record, delivery.signature, *key,
                                          {"", delivery.subject, delivery.category, delivery.event_id, 0});
    if (!proof) return proof.error();
    delivery.proof = std::move(*proof);
    return Done{};
  }

  static std::string run_delivery_handler(const DeliveryHandler& handler, Delivery& delivery, const Impl& impl) {
    if (auto opened = open_sealed_delivery(delivery, impl.encryption_key); !opened) {
      return wire::encode_nack(delivery.id, opened.error());
    }
    if (auto checked = check_delivery_signature(delivery, impl.options.signing_keys_dir); !checked) {
      return wire::encode_nack(delivery.id, checked.error());
    }
    try {
      auto status = handler(delivery);
      if (status) return wire::encode_ack(delivery.id);
      return wire::encode_nack(delivery.id, status.error());
    } catch (...) {
      return wire::encode_nack(delivery.id, make_error(Reason::provider_error, "the subscriber's handler failed"));
    }
  }

  static std::string run_handler(const ProviderHandler& handler, const ProviderRequest& request, const Impl& impl) {
    try {
      auto result = handler(request);
      if (!result) return wire::encode_error_response(request.id, result.error());
      // Every field the handler returned is signed, so that the signature is the same whoever
      // receives it; only the disclosures of the fields the consumer may receive leave.
      std::optional<integrity::SignedRecord> signature;
      if (request.sign) {
        if (!impl.signing_key) {
          return wire::encode_error_response(
              request.id, make_error(Reason::provider_error, "the category requires signed records and no signing key is set"));
        }
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        signature = integrity::sign_record(*result,
                                           {request.consumer, request.subject, request.category, request.request_id,
                                            std::chrono::duration_cast<std::chrono::seconds>(now).count()},
                                           *impl.signing_key);
      }
      // Minimisation at the source: a field the consumer may not receive never leaves this
      // process, even when the handler returns a whole row. (The broker would drop it too —
      // except from a sealed record, which only this minimisation protects.)
      if (request.seal_for.empty()) {
        if (!signature) return wire::encode_record_response(request.id, *result, request.fields);
        const integrity::MinimisedRecord kept = integrity::minimise(*result, request.fields, signature);
        return wire::encode_signed_record_response(request.id, kept.record, {}, *kept.signature);
      }
      // A sealed record is minimised here or nowhere: without the list of fields, send nothing.
      if (request.fields.empty()) {
        return wire::encode_error_response(request.id,
                                           make_error(Reason::provider_error, "no fields to seal were named"));
      }
      const auto key = seal::decode_key(request.seal_for);
      if (!key) {
        return wire::encode_error_response(request.id,
                                           make_error(Reason::provider_error, "the broker sent no usable encryption key"));
      }
      if (auto pinned = pinned_key_matches(impl.options.encryption_keys_dir, request.consumer, *key); !pinned) {
        return wire::encode_error_response(request.id, pinned.error());
      }
      const integrity::MinimisedRecord kept = integrity::minimise(*result, request.fields, signature);
      return wire::encode_sealed_response(request.id, seal::seal_record(kept.record, kept.signature, *key));
    } catch (...) {
      // An exception's text may carry internals (SQL, paths, other citizens' data): it stays
      // here, and the broker only learns that the handler failed.
      return wire::encode_error_response(request.id, make_error(Reason::provider_error, "the provider's handler failed"));
    }
  }

  // The broker names the key to seal for. A connector that keeps its own copy of the platform's
  // registry of consumers' keys seals only for the key registered for that consumer, so that a
  // broker that was taken over cannot have records sealed for a key of its own.
  static Status pinned_key_matches(const std::filesystem::path& keys_dir, const std::string& consumer,
                                   const seal::Key& key) {
    if (keys_dir.empty()) return Done{};
    auto registered = crypto::registered_key(keys_dir, consumer, "encryption key", Reason::provider_error);
    if (!registered) return registered.error();
    if (*registered != key) {
      return make_error(Reason::provider_error, "the key to seal for is not the one registered for '" + consumer + "'");
    }
    return Done{};
  }


  // Beast allows one write at a time: answers queue here.
  void send(std::string message) {
    outbox_.push_back(std::move(message));
    if (!writing_) write_next();
  }

  void start_close() {
    socket_.async_close(websocket::close_code::normal, [self = shared_from_this()](const boost::system::error_code&) {
      self->end("closed");
    });
  }

  void write_next() {
    if (closed_) return;
    if (closing_) {
      writing_ = false;
      return start_close();
    }
    if (outbox_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    frame_ = std::move(outbox_.front());
    outbox_.pop_front();
    // Answers that queued during a write leave together: one frame, one TLS record.
    for (int joined = 1; batch_ && !outbox_.empty() && joined < kMaxBatchMessages &&
                         frame_.size() + 1 + outbox_.front().size() <= kMaxBatchBytes;
         ++joined) {
      frame_ += '\n';
      frame_ += outbox_.front();
      outbox_.pop_front();
    }
    socket_.async_write(asio::buffer(frame_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                          std::size_t) {
      if (ec) return self->end("connection lost while writing: " + net::describe_error(ec));
      self->write_next();
    });
  }

  void end(const std::string& error) {
    if (closed_) return;
    closed_ = true;
    ready_timer_.cancel();
    beast::get_lowest_layer(socket_).close();
    if (!refused_) link_.on_session_end(error);
  }

  Link& link_;
  Impl& impl_;
  websocket::stream<net::TlsStream> socket_;
  beast::flat_buffer buffer_;
  websocket::response_type upgrade_response_;
  asio::steady_timer ready_timer_;
  std::deque<std::string> outbox_;
  std::string frame_;  // being written: one message, or several joined by lines
  bool batch_ = false;  // the broker's ready said it takes frames of several messages
  std::size_t in_flight_ = 0;
  bool upgraded_ = false, writing_ = false, ready_ = false, refused_ = false, closing_ = false, closed_ = false;
};

void Provider::Impl::changed(std::function<void()> update) {
  {
    std::lock_guard lock(mutex);
    update();
  }
  state_changed.notify_all();
}

bool Provider::Impl::all_ready() const {
  return !links.empty() && std::all_of(links.begin(), links.end(), [](const auto& link) { return link->ready; });
}

void Provider::Impl::Link::connect() {
  if (impl.stopping) return;
  net::async_open_tls(impl.io.get_executor(), impl.tls, options, Clock::now() + options.connect_timeout,
                      [this](std::string error, std::unique_ptr<net::TlsStream> stream) {
                        if (!error.empty()) return on_session_end(error);
                        if (impl.stopping) return;
                        session = std::make_shared<Session>(*this, std::move(*stream));
                        session->start();
                      });
}

void Provider::Impl::Link::on_ready() {
  backoff.reset();
  impl.changed([this] { ready = true; });
}

void Provider::Impl::Link::on_session_end(const std::string& error) {
  session.reset();
  impl.changed([&] {
    ready = false;
    last_error = error;
  });
  if (impl.stopping) return;
  reconnect_timer.expires_after(backoff.next());
  reconnect_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

// A refusal by any broker is final for all: they share one configuration.
void Provider::Impl::on_refused(Error error) {
  stopping = true;
  changed([&] {
    refusal = error;
    state = State::refused;
    last_error = std::string(to_string(error.reason)) + ": " + error.message;
  });
  for (auto& link : links) {
    link->reconnect_timer.cancel();
    if (link->session) link->session->close();
  }
}

void Provider::Impl::request_stop() {
  std::lock_guard lock(mutex);
  if (!running) return;
  asio::post(io, [self = shared_from_this()] {
    self->stopping = true;
    for (auto& link : self->links) {
      link->reconnect_timer.cancel();
      if (link->session) link->session->close();
    }
  });
}

// Marked running before the loop starts, so that a stop() right after start() is not lost.
Status Provider::Impl::begin() {
  std::lock_guard lock(mutex);
  if (running) return make_error(Reason::internal_error, "the provider is already running");
  const bool serves = !categories.empty() && handler;
  const bool subscribes = !subscriptions.empty() && delivery_handler;
  if (!serves && !subscribes) {
    return make_error(Reason::malformed_request, "call serve() or subscribe() with categories and a handler first");
  }
  running = true;
  refusal.reset();
  state = State::running;
  active_categories = serves ? categories : std::vector<std::string>{};
  active_handler = handler;
  active_subscriptions = subscribes ? subscriptions : std::vector<Subscription>{};
  active_delivery_handler = delivery_handler;
  return Done{};
}

Status Provider::Impl::loop() {
  stopping = false;
  std::vector<std::unique_ptr<Link>> made;
  for (ClientOptions& each : net::each_broker(options)) made.push_back(std::make_unique<Link>(*this, std::move(each)));
  changed([&] { links = std::move(made); });
  if (provider_options.handler_threads > 0) pool.emplace(provider_options.handler_threads);
  io.restart();
  for (auto& link : links) link->connect();
  io.run();
  if (pool) pool->join();
  pool.reset();
  std::lock_guard lock(mutex);
  links.clear();
  running = false;
  const bool refused = refusal.has_value();
  if (!refused) state = State::stopped;
  state_changed.notify_all();
  if (refused) return *refusal;
  return Done{};
}

Provider::Provider(ClientOptions options, ProviderOptions provider_options)
    : impl_(std::make_shared<Impl>(std::move(options), provider_options)) {}

Provider::~Provider() { stop(); }

void Provider::serve(std::vector<std::string> categories, ProviderHandler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->categories = std::move(categories);
  impl_->handler = std::move(handler);
}

void Provider::subscribe(std::vector<Subscription> subscriptions, DeliveryHandler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->subscriptions = std::move(subscriptions);
  impl_->delivery_handler = std::move(handler);
}

Status Provider::run() {
  if (auto status = impl_->begin(); !status) return status;
  return impl_->loop();
}

Status Provider::start() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->running) return make_error(Reason::internal_error, "the provider is already running");
  }
  if (impl_->background.joinable()) impl_->background.join();  // a previous run that has ended
  if (auto status = impl_->begin(); !status) return status;
  impl_->background = std::thread([impl = impl_] { (void)impl->loop(); });
  return Done{};
}

void Provider::stop() {
  impl_->request_stop();
  if (impl_->background.joinable() && impl_->background.get_id() != std::this_thread::get_id()) {
    impl_->background.join();
  }
}

Status Provider::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  const bool settled = impl_->state_changed.wait_for(lock, timeout, [&] {
    const auto state = impl_->state;
    return state == Impl::State::refused || state == Impl::State::stopped ||
           (state == Impl::State::running && impl_->all_ready());
  });
  if (settled && impl_->state == Impl::State::running) return Done{};
  if (impl_->refusal) return *impl_->refusal;
  std::string missing;
  for (const auto& link : impl_->links) {
    if (link->ready) continue;
    missing += (missing.empty() ? "" : "; ") + link->name() + ": " + link->last_error;
  }
  return make_error(Reason::provider_unavailable,
                    "not connected to the broker: " + (missing.empty() ? impl_->last_error : missing));
}

}  // namespace pse

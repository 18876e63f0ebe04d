#include "broker/net/connector_session.hpp"

#include "base/log.hpp"
#include "base/worker_thread.hpp"
#include "broker/admission/availability.hpp"
#include "broker/connector/connector_admission.hpp"
#include "broker/connector/connector_message.hpp"
#include "broker/json_body.hpp"
#include "broker/net/peer_identity.hpp"
#include "broker/pubsub/delivery_dispatcher.hpp"
#include "broker/pubsub/subscription_registry.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <openssl/ssl.h>

#include <algorithm>

namespace pse::broker {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

namespace {

constexpr auto kHelloTimeout = std::chrono::seconds(10);
constexpr int kMaxMalformedMessages = 10;       // then the connector is closed
constexpr std::size_t kMaxOutboxMessages = 4096;  // requests waiting to be written
// A frame of several messages stays under this (a single larger message goes alone): small
// enough for any connector's read limit, large enough for every request one write can carry.
constexpr std::size_t kMaxBatchBytes = 64 * 1024;
// And at most this many messages: a connector that answers on its connection's thread works
// through a whole frame before any answer leaves, so frames of everything queued made both
// sides wait for each other (0.69x the throughput; 8 gave 1.08x, bench/RESULTS.md).
constexpr int kMaxBatchMessages = 8;

json::object error_object(Reason reason, std::string_view message) {
  return json::object{{"code", to_string(reason)}, {"message", message.empty() ? describe(reason) : message}};
}

}  // namespace

ConnectorSession::ConnectorSession(TlsStream&& stream, std::string org_id,
                                   std::shared_ptr<const policy::PolicySnapshot> policies,
                                   std::shared_ptr<asio::ssl::context> tls_context, ServerState& state,
                                   ConnectionBudget::Slot slot)
    : tls_context_(std::move(tls_context)),
      policies_(std::move(policies)),
      org_id_(std::move(org_id)),
      caller_(policies_->organisations().find(org_id_)),
      state_(state),
      slot_(std::move(slot)),
      socket_(std::move(stream)),
      hello_timer_(socket_.get_executor()),
      lifetime_timer_(socket_.get_executor()) {
  state_.metrics.connector_connected();
}

ConnectorSession::~ConnectorSession() {
  state_.connectors.remove(this);
  state_.metrics.connector_disconnected();
}

void ConnectorSession::start(beast::http::request<beast::http::string_body> upgrade) {
  std::weak_ptr<ConnectorSession> weak = weak_from_this();
  auto on_strand = [weak](void (ConnectorSession::*step)()) {
    return [weak, step] {
      if (auto self = weak.lock()) asio::post(self->socket_.get_executor(), [self, step] { ((*self).*step)(); });
    };
  };
  state_.connectors.add(this, {on_strand(&ConnectorSession::drain), on_strand(&ConnectorSession::recheck)});
  lifetime_timer_.expires_after(state_.limits.max_connection_lifetime);
  lifetime_timer_.async_wait([weak](beast::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->retire();
  });
  // The WebSocket layer has its own timeouts and pings; the TCP stream's must be off.
  beast::get_lowest_layer(socket_).expires_never();
  websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::seconds(30);  // a ping after 15 s of silence, closed after 30 s
  socket_.set_option(timeouts);
  socket_.read_message_max(state_.limits.body_bytes);
  socket_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->shut_down("websocket handshake failed: " + ec.message());
    self->hello_timer_.expires_after(kHelloTimeout);
    self->hello_timer_.async_wait([self](beast::error_code timer_ec) {
      if (!timer_ec && !self->ready_) self->refuse(Reason::malformed_request, "no hello within 10 s");
    });
    self->read_next();
  });
}

void ConnectorSession::read_next() {
  socket_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->shut_down(ec == websocket::error::closed ? "closed by the connector" : ec.message());
    const auto bytes = self->buffer_.data();
    self->on_frame(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
    self->buffer_.consume(self->buffer_.size());
    if (!self->closed_) self->read_next();
  });
}

// A connector that said "batch" in its hello may send several messages in a frame, one per
// line (compact JSON has no line breaks of its own).
void ConnectorSession::on_frame(std::string_view frame) {
  if (!batch_) return on_message(frame);
  while (!closed_) {
    const std::size_t end = frame.find('\n');
    on_message(frame.substr(0, end));
    if (end == std::string_view::npos) return;
    frame.remove_prefix(end + 1);
  }
}

void ConnectorSession::on_message(std::string_view text) {
  // A message is handled before this returns (a record is minimised and serialised by the
  // pipeline at once), so its tree is parsed into a buffer on the stack.
  unsigned char scratch_buffer[8192];
  json::monotonic_resource scratch(scratch_buffer, sizeof scratch_buffer);
  auto parsed = parse_json_object(text, &scratch);
  const ConnectorMessageType type = parsed ? connector_message_type(*parsed) : ConnectorMessageType::unknown;
  if (hello_pending_) return refuse(Reason::malformed_request, "nothing may be sent between a hello and ready");
  if (type == ConnectorMessageType::hello && !ready_) return on_hello(*parsed);
  if (type == ConnectorMessageType::response && ready_) return on_response(*parsed);
  if (ready_ && subscribed_) {
    if (type == ConnectorMessageType::ack) return on_delivery_answer(*parsed, true);
    if (type == ConnectorMessageType::nack) return on_delivery_answer(*parsed, false);
  }
  if (!ready_) return refuse(Reason::malformed_request, "the first message must be a hello");
  if (++malformed_messages_ > kMaxMalformedMessages) return shut_down("too many malformed messages");
  log::warn("malformed connector message ignored", {{"provider", org_id_}});
}

// The connector says what it serves and subscribes to; connector_admission decides whether it
// may. Subscriptions are stored (durably) on the store worker, never on an I/O thread, and the
// hello goes on from there on the session's strand.
void ConnectorSession::on_hello(const json::object& message) {
  auto hello = read_hello(message);
  if (!hello) return refuse(hello.error().reason, hello.error().message);
  if (auto refusal = check_hello(*caller_, *policies_, *hello)) return refuse(refusal->reason, refusal->message);
  if (hello->max_in_flight) max_in_flight_ = *hello->max_in_flight;
  batch_ = hello->batch;
  if (hello->subscribes.empty()) return become_ready(std::move(hello->serves));
  hello_pending_ = true;  // no second hello while the first is being stored
  const bool posted = state_.store_worker->post(
      [self = shared_from_this(), entries = subscription_entries(org_id_, *hello),
       serves = std::move(hello->serves)]() mutable {
        std::string error;
        const bool stored = self->state_.subscriptions->add(entries, error);
        asio::post(self->socket_.get_executor(), [self, stored, error = std::move(error),
                                                  serves = std::move(serves)]() mutable {
          self->hello_pending_ = false;
          if (self->closed_) return;
          if (!stored) {
            log::error("subscriptions could not be stored", {{"subscriber", self->org_id_}, {"detail", error}});
            return self->refuse(Reason::overloaded, "the broker cannot record subscriptions now");
          }
          self->subscribed_ = true;
          self->become_ready(std::move(serves));
        });
      });
  if (!posted) {
    hello_pending_ = false;
    refuse(Reason::overloaded, "the broker cannot record subscriptions now");
  }
}

void ConnectorSession::become_ready(std::vector<std::string> serves) {
  ready_ = true;
  serves_ = std::move(serves);
  hello_timer_.cancel();
  const std::string connection_id = org_id_ + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this) % 1000000);
  json::array categories;
  for (const auto& category : serves_) categories.emplace_back(category);
  // Routes before "ready": a connector that has read it may be sent requests at once.
  // Deliveries after it: the first frame a subscriber reads is "ready".
  if (!serves_.empty()) state_.providers->add(shared_from_this(), serves_);
  json::object ready{{"type", "ready"}, {"connection", connection_id}, {"serves", std::move(categories)}};
  if (batch_) ready["batch"] = true;
  send(json::serialize(ready));
  // Nothing is being written before ready, so it leaves in a frame of its own: the connector
  // reads frames of several messages only once it has read it.
  join_writes_ = batch_;
  if (subscribed_) state_.deliveries->attach(shared_from_this());
  log::info("connector ready", {{"org", org_id_}, {"categories", serves_.size()}, {"subscribed", subscribed_},
                                {"max_in_flight", max_in_flight_}});
}

std::size_t ConnectorSession::delivery_room() const {
  const std::size_t used = in_flight_.load(std::memory_order_relaxed) + deliveries_out_.load(std::memory_order_relaxed);
  if (used >= max_in_flight_) return 0;
  return max_in_flight_ - used;
}

void ConnectorSession::send_deliveries(std::vector<OutgoingDelivery> deliveries) {
  deliveries_out_.fetch_add(deliveries.size(), std::memory_order_relaxed);
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), deliveries = std::move(deliveries)]() mutable {
    if (self->closed_ || self->close_when_written_) {
      // Detached already (or about to be): the queue has released them, or will expire them.
      self->deliveries_out_.fetch_sub(deliveries.size(), std::memory_order_relaxed);
      return;
    }
    for (auto& delivery : deliveries) {
      self->deliveries_.insert(delivery.id);
      self->send(std::move(delivery.message));
    }
  });
}

// {"type":"ack","id":"17"} or {"type":"nack","id":"17","error":{"code":…,"message":…}}.
void ConnectorSession::on_delivery_answer(const json::object& message, bool ok) {
  const std::optional<std::uint64_t> id = delivery_id(message);
  if (!id || !deliveries_.contains(*id)) {
    state_.metrics.delivery_answer_ignored();
    if (++malformed_messages_ > kMaxMalformedMessages) shut_down("too many malformed messages");
    return;
  }
  deliveries_.erase(*id);
  deliveries_out_.fetch_sub(1, std::memory_order_relaxed);
  state_.deliveries->answered(org_id_, *id, ok, ok ? std::string() : nack_reason(message));
}

void ConnectorSession::on_response(json::object& message) {
  const std::optional<std::string_view> id = response_id(message);
  if (!id || !pending_.contains(std::string(*id))) {
    ++malformed_messages_;  // late (after its timeout) or unknown: counted, ignored
    return;
  }
  const std::string key(*id);
  complete(key, response_outcome(message));
}

// {"type":"request","id":…,"request_id":…,"consumer":…,"category":…,"purpose":…,"subject":…,
//  "fields":[…],"timeout_ms":…[,"seal_for":…][,"sign":true]}, written directly: one string, no JSON tree per request.
std::string ConnectorSession::request_message(const std::string& id, const ProviderCall& call) {
  std::string out;
  out.reserve(256);
  const auto member = [&out](std::string_view key, std::string_view value) {
    out += ",\"";
    out += key;
    out += "\":";
    log::append_json_string(out, value);
  };
  out += "{\"type\":\"request\"";
  member("id", id);
  member("request_id", call.request_id);
  member("consumer", call.consumer);
  member("category", call.category);
  member("purpose", call.purpose);
  member("subject", call.subject);
  out += ",\"fields\":[";
  for (std::size_t i = 0; i < call.fields.size(); ++i) {
    if (i > 0) out += ',';
    log::append_json_string(out, call.fields[i]);
  }
  out += "],\"timeout_ms\":";
  out += std::to_string(call.timeout.count());
  if (!call.seal_for.empty()) member("seal_for", call.seal_for);
  if (call.sign) out += ",\"sign\":true";
  out += '}';
  return out;
}

void ConnectorSession::call(ProviderCall call, ProviderReply reply) {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), call = std::move(call),
                                          reply = std::move(reply)]() mutable {
    if (self->closed_ || self->close_when_written_) {
      self->in_flight_.fetch_sub(1, std::memory_order_relaxed);
      return reply(make_error(Reason::provider_unavailable, "the connector disconnected"));
    }
    // The connector's last slots are kept for the categories rated highest for availability.
    if (self->pending_.size() >= slots_for(self->max_in_flight_, call.availability) ||
        self->outbox_.size() >= kMaxOutboxMessages) {
      self->in_flight_.fetch_sub(1, std::memory_order_relaxed);
      return reply(make_error(Reason::overloaded, "the provider's connector has too many requests in flight"));
    }
    const std::string id = "x-" + std::to_string(++self->next_id_);
    self->send(request_message(id, call));
    auto timer = std::make_unique<asio::steady_timer>(self->socket_.get_executor());
    timer->expires_after(call.timeout);
    timer->async_wait([self, id](beast::error_code ec) {
      if (!ec) self->complete(id, make_error(Reason::provider_timeout, "the provider did not answer in time"));
    });
    self->pending_.emplace(id, Pending{std::move(reply), std::move(timer)});
  });
}

void ConnectorSession::complete(const std::string& id, Result<ProviderAnswer> outcome) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending pending = std::move(it->second);
  pending_.erase(it);
  pending.timer->cancel();
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  pending.reply(std::move(outcome));
  if (retiring_ && pending_.empty()) close_after_writes(websocket::close_code::going_away);
}

// After a reload: the connector's certificate against the new CRL and organisations, and what
// it connected for (serving its categories, subscribing) against the roles in force now. One
// that no longer passes is cut at once: it must not receive one more request or delivery.
void ConnectorSession::recheck() {
  if (closed_) return;
  auto snapshot = state_.policies->snapshot();
  X509* leaf = SSL_get0_peer_certificate(socket_.next_layer().native_handle());
  const PeerCheck check = check_client_leaf(leaf, state_.trust_domain, snapshot->organisations());
  std::string_view refusal = check.refusal;
  if (check.org != nullptr) {
    refusal = verify_against_store(leaf, SSL_CTX_get_cert_store(state_.tls_context()->native_handle()));
  }
  if (refusal.empty() && ready_) refusal = withdrawn_role(*check.org, *snapshot, serves_, subscribed_);
  if (refusal.empty()) {
    policies_ = std::move(snapshot);
    caller_ = check.org;
    return;
  }
  state_.metrics.session_revoked(refusal);
  log::warn("connector closed: its identity no longer passes", {{"org", org_id_}, {"reason", refusal}});
  shut_down(std::string("identity no longer passes: ") + std::string(refusal));
}

// At max_connection_lifetime: no new request or delivery is routed here, those in flight are
// answered, then the connector is asked to go (it reconnects, proving its identity again).
void ConnectorSession::retire() {
  if (closed_ || close_when_written_ || retiring_) return;
  retiring_ = true;
  state_.metrics.session_expired();
  if (ready_) {
    state_.providers->remove(this);
    if (subscribed_) state_.deliveries->detach(this);
  }
  if (pending_.empty()) close_after_writes(websocket::close_code::going_away);
}

void ConnectorSession::send(std::string text) {
  outbox_.push_back(std::move(text));
  if (!writing_) write_next();
}

void ConnectorSession::write_next() {
  if (outbox_.empty() || closed_) {
    writing_ = false;
    if (close_when_written_ && !closed_) {
      // Beast allows one write at a time, and a close is a write: it goes after the queue,
      // and nothing is written after it (writing_ stays true).
      writing_ = true;
      socket_.async_close(*close_when_written_, [self = shared_from_this()](beast::error_code) {
        self->shut_down("closed by the broker");
      });
    }
    return;
  }
  writing_ = true;
  socket_.text(true);
  frame_ = std::move(outbox_.front());
  outbox_.pop_front();
  // Under load, requests queue while a write is in progress: the next write takes several in
  // one frame, so one TLS record and one system call carry them.
  for (int joined = 1; join_writes_ && !outbox_.empty() && joined < kMaxBatchMessages &&
                       frame_.size() + 1 + outbox_.front().size() <= kMaxBatchBytes;
       ++joined) {
    frame_ += '\n';
    frame_ += outbox_.front();
    outbox_.pop_front();
  }
  socket_.async_write(asio::buffer(frame_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->shut_down("write failed: " + ec.message());
    self->write_next();
  });
}

void ConnectorSession::refuse(Reason reason, const std::string& message) {
  log::info("connector refused", {{"provider", org_id_}, {"reason", to_string(reason)}, {"detail", message}});
  send(json::serialize(json::object{{"type", "refused"}, {"error", error_object(reason, message)}}));
  close_after_writes(websocket::close_code::policy_error);
}

void ConnectorSession::drain() { close_after_writes(websocket::close_code::going_away); }

void ConnectorSession::close_after_writes(websocket::close_code code) {
  if (closed_ || close_when_written_) return;
  close_when_written_ = code;
  if (!writing_) write_next();
}

// Leaves the directory and fails every request in flight: nobody waits on a dead connection.
void ConnectorSession::shut_down(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  hello_timer_.cancel();
  lifetime_timer_.cancel();
  slot_.release();
  if (ready_) {
    state_.providers->remove(this);
    if (subscribed_) state_.deliveries->detach(this);
    log::info("connector disconnected", {{"provider", org_id_}, {"detail", why}, {"in_flight", pending_.size()}});
  }
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, call] : pending) {
    call.timer->cancel();
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    call.reply(make_error(Reason::provider_unavailable, "the connector disconnected"));
  }
  beast::error_code ignored;
  beast::get_lowest_layer(socket_).socket().close(ignored);
}

}  // namespace pse::broker

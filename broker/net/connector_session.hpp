// A connector on its persistent WebSocket (GET /v1/connect, over the same mTLS connection): the
// broker sends it requests and it answers them; the broker sends it the deliveries of its
// subscriptions and it acknowledges them (docs/api/exchange-protocol.md).
//
// The session is a ProviderChannel and a SubscriberChannel: the exchange pipeline calls it from any thread; everything
// touching the socket runs on the connection's strand. Each request in flight has its own
// timer; when the connection drops, every request in flight fails at once with
// provider_unavailable — a consumer never waits on a connector that is gone.
#pragma once

#include "broker/connector/connector_message.hpp"
#include "broker/exchange/provider_channel.hpp"
#include "broker/pubsub/subscriber_channel.hpp"
#include "broker/net/server_state.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <optional>
#include <memory>
#include <string>
#include <string_view>

namespace pse::broker {

class ConnectorSession : public ProviderChannel,
                         public SubscriberChannel,
                         public std::enable_shared_from_this<ConnectorSession> {
 public:
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  /// `org_id` was proved by the TLS session's certificate; `slot` is its place in the
  /// authenticated connection budget, held until the connector goes.
  ConnectorSession(TlsStream&& stream, std::string org_id, std::shared_ptr<const policy::PolicySnapshot> policies,
                   std::shared_ptr<boost::asio::ssl::context> tls_context, ServerState& state,
                   ConnectionBudget::Slot slot);
  ~ConnectorSession() override;

  /// Completes the WebSocket handshake for `upgrade` and waits for the connector's hello.
  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);

  void call(ProviderCall call, ProviderReply reply) override;
  std::size_t in_flight() const override { return in_flight_.load(std::memory_order_relaxed); }
  const std::string& provider() const override { return org_id_; }

  const std::string& subscriber() const override { return org_id_; }
  std::size_t delivery_room() const override;
  void send_deliveries(std::vector<OutgoingDelivery> deliveries) override;

 private:
  struct Pending {
    ProviderReply reply;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  void read_next();
  void on_frame(std::string_view frame);
  void on_message(std::string_view text);
  void on_hello(const boost::json::object& message);
  void on_response(boost::json::object& message);
  static std::string request_message(const std::string& id, const ProviderCall& call);
  void on_delivery_answer(const boost::json::object& message, bool ok);
  void become_ready(std::vector<std::string> serves);
  void complete(const std::string& id, Result<ProviderAnswer> outcome);
  void send(std::string text);
  void write_next();
  void refuse(Reason reason, const std::string& message);
  void close_after_writes(boost::beast::websocket::close_code code);
  void shut_down(const std::string& why);
  void drain();
  void recheck();
  void retire();

  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // outlives the stream below
  std::shared_ptr<const policy::PolicySnapshot> policies_;  // caller_ points into it
  const std::string org_id_;  // read from other threads (provider(), subscriber())
  const policy::Organisation* caller_;  // strand only: replaced when a reload re-checks it
  ServerState& state_;
  ConnectionBudget::Slot slot_;
  boost::beast::websocket::stream<TlsStream> socket_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::string frame_;  // what is being written: one message, or several joined by lines
  bool writing_ = false;
  bool batch_ = false;  // the connector's hello said it reads and writes frames of several messages
  bool join_writes_ = false;  // batch_, once ready has been sent
  bool ready_ = false;
  bool closed_ = false;
  std::optional<boost::beast::websocket::close_code> close_when_written_;
  int malformed_messages_ = 0;
  std::uint32_t max_in_flight_ = 64;
  boost::asio::steady_timer hello_timer_;
  boost::asio::steady_timer lifetime_timer_;
  std::vector<std::string> serves_;  // the categories of its hello
  bool retiring_ = false;
  std::map<std::string, Pending> pending_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> deliveries_out_{0};  // sent (or being sent), not yet answered
  std::set<std::uint64_t> deliveries_;          // their ids; strand only
  bool subscribed_ = false;
  bool hello_pending_ = false;  // its subscriptions are being stored
  std::uint64_t next_id_ = 0;
};

}  // namespace pse::broker

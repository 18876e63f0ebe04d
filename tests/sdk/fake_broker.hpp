// A small broker for the SDK's own tests: a real Beast mutual-TLS server on 127.0.0.1 that
// speaks the exchange protocol from a script the test gives it. The real broker's end-to-end
// tests live with the broker; this one lets the SDK's tests provoke what a real broker rarely
// does (slow answers, silent closes, malformed messages, refusals).
#pragma once

#include "support/test_pki.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pse::testing {

/// What the fake answers to one `POST /v1/exchange`.
struct FakeAnswer {
  int status = 200;
  std::string body;
  bool keep_alive = true;
  std::chrono::milliseconds delay{0};
  bool close_without_answer = false;  ///< read the request, then close the TCP connection
};

/// What the fake answers to a connector's hello.
/// ready_batch: a ready that says the broker takes frames of several messages.
enum class HelloAnswer { ready, ready_batch, refused_not_owner, nothing };

class FakeBroker {
 public:
  using ExchangeScript = std::function<FakeAnswer(const std::string& body)>;

  /// Listens on an ephemeral port with the PKI's "broker" certificate; requires client certs.
  explicit FakeBroker(const TestPki& pki);
  ~FakeBroker();

  std::uint16_t port() const;
  void on_exchange(ExchangeScript script);
  void on_hello(HelloAnswer answer);
  /// Answers the WebSocket upgrade with this HTTP error instead of accepting it.
  void refuse_upgrade(FakeAnswer answer);

  /// Exchange request bodies received so far.
  std::vector<std::string> exchange_bodies() const;
  /// TLS connections accepted so far (handshake done).
  int connections() const;

  /// Connector side: the next text frame a connector sent (hello, responses), or nullopt.
  std::optional<std::string> next_from_connector(std::chrono::milliseconds timeout);
  /// Sends a text frame to every open connector connection.
  void send_to_connectors(const std::string& text);
  /// Closes every open connector connection at the TCP level (a broker crash, as seen by them).
  void drop_connectors();
  /// Closes idle keep-alive HTTP connections at the TCP level.
  void drop_http_connections();
  /// Open connector connections whose hello was answered ready.
  int ready_connectors() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace pse::testing

// A hand-driven provider connector for integration tests: it speaks the connector protocol
// over a real mTLS WebSocket, one message at a time, so a test can also misbehave on purpose
// (answer late, answer garbage, vanish mid-request). Well-behaved providers in tests use the SDK.
#pragma once

#include "support/tls_client.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pse::testing {

class TestConnector {
 public:
  TestConnector(std::uint16_t port, std::filesystem::path ca_file, ClientIdentity identity);
  ~TestConnector();

  /// Upgrades GET /v1/connect, sends hello, returns the broker's answer (ready or refused), or
  /// std::nullopt with error() when the connection failed.
  std::optional<boost::json::object> connect(const std::vector<std::string>& serves);
  /// The same with a hello of the test's own making (subscriptions, or a malformed one).
  std::optional<boost::json::object> connect_with(const boost::json::object& hello);

  /// The next message from the broker, or std::nullopt after `timeout_ms` or on close.
  std::optional<boost::json::object> next(int timeout_ms = 5000);
  /// The next frame as it came (after a hello with "batch": true it may hold several messages,
  /// one per line), or std::nullopt after `timeout_ms` or on close.
  std::optional<std::string> next_frame(int timeout_ms = 5000);
  void send(const std::string& text);
  /// Closes the TCP connection abruptly (no WebSocket close).
  void drop();

  /// Answers every request on a background thread with `answer(request)` (a full message;
  /// an empty string sends nothing).
  void serve(std::function<std::string(const boost::json::object&)> answer);

  const std::string& error() const { return error_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
  std::thread server_;
  std::atomic<bool> stop_{false};
};

/// The response message carrying `record` for `request`, signed with the test seed when the
/// request asks for a signature (support/signing_keys.hpp).
std::string record_response(const boost::json::object& request, const boost::json::object& record);

}  // namespace pse::testing

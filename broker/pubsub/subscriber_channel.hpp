// A live connection to a subscriber's connector, as the delivery dispatcher sees it. The
// WebSocket session (broker/net/connector_session) implements it; the dispatcher knows nothing
// of sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pse::broker {

struct OutgoingDelivery {
  std::uint64_t id = 0;
  std::string message;  ///< the `delivery` frame, ready to send
};

class SubscriberChannel {
 public:
  virtual ~SubscriberChannel() = default;
  virtual const std::string& subscriber() const = 0;
  /// How many more deliveries the connection takes now (its max_in_flight minus what it holds).
  virtual std::size_t delivery_room() const = 0;
  /// Sends the frames; from any thread. They stay in flight until the connector answers.
  virtual void send_deliveries(std::vector<OutgoingDelivery> deliveries) = 0;
};

}  // namespace pse::broker

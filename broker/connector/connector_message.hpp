// The messages a connector sends on its WebSocket (docs/api/exchange-protocol.md), read
// strictly and with no session, socket or Asio: which type a message is, what a hello asks for,
// what a response answers and which delivery an ack or a nack is about. What a hello asks is
// checked against the caller's roles and the classification in connector_admission.hpp;
// everything that can be decided from the bytes alone is decided here, so it is
// unit-tested and fuzzed (tests/broker/fuzz/connector_message_fuzzer.cpp) on its own.
#pragma once

#include "broker/exchange/provider_channel.hpp"

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

enum class ConnectorMessageType { hello, response, ack, nack, unknown };

/// The message's "type"; unknown when it is absent, not a string, or none of the above.
ConnectorMessageType connector_message_type(const boost::json::object& message);

struct ConnectorSubscription {
  std::string category;
  std::string purpose;
};

struct ConnectorHello {
  std::vector<std::string> serves;
  std::vector<ConnectorSubscription> subscribes;
  std::optional<std::uint32_t> max_in_flight;  ///< absent: the broker's default
  /// The connector reads and writes frames of several messages, one per line (see
  /// docs/decisions/connector-protocol.md); absent: one message per frame, as before.
  bool batch = false;
};

/// A hello, read strictly: unknown fields, a "subscribes" that is not a list of at most 256
/// {category, purpose} (purpose 1-128 characters), a "max_in_flight" outside 1-1024, a "batch"
/// that is not a boolean, or a hello
/// that neither serves nor subscribes are malformed_request naming the problem.
Result<ConnectorHello> read_hello(const boost::json::object& message);

/// The broker's request id a response answers; std::nullopt when "id" is absent or not a string.
std::optional<std::string_view> response_id(const boost::json::object& message);

/// What a response says: its record (moved out of `message`, with its "integrity" signature
/// when there is one: integrity_failed when that is not {jws, disclosures}) or its sealed record,
/// record_not_found when the provider says it holds none, provider_error for any other error,
/// or for a response with not exactly one of "record", "sealed" and "error".
Result<ProviderAnswer> response_outcome(boost::json::object& message);

/// The delivery an ack or a nack is about: "id" must be 1-20 decimal digits that fit 64 bits.
std::optional<std::uint64_t> delivery_id(const boost::json::object& message);

/// Why a subscriber refused a delivery: its nack's error code when that is a known reason code,
/// else "nack" (the subscriber's own text could hold anything, so none of it is kept).
std::string nack_reason(const boost::json::object& message);

}  // namespace pse::broker

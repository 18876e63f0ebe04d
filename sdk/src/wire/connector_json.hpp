// The JSON messages of the connector WebSocket `GET /v1/connect` (docs/api/exchange-protocol.md):
// what the provider sends (hello, response, ack, nack) and what the broker sends (ready, refused,
// request, delivery, error).
#pragma once

#include <pse/provider.hpp>
#include <pse/record_proof.hpp>
#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pse::wire {

/// `serves` and `subscriptions` may each be empty, not both.
std::string encode_hello(const std::vector<std::string>& serves, const std::vector<Subscription>& subscriptions,
                         std::size_t max_in_flight);
/// The record as a JSON object's text; `only`, when not empty, names the fields to keep (a list
/// field's sub-fields as "list.sub": its items kept to those).
std::string encode_record(const boost::json::object& record, const std::vector<std::string>& only = {});
/// `only`, when not empty, names the fields to send; the record's other fields are left out.
std::string encode_record_response(std::string_view id, const boost::json::object& record,
                                   const std::vector<std::string>& only = {});
/// The answer to a request that carried `sign`: the record (only `only`'s fields) and the
/// signature with the disclosures the caller kept for those fields.
std::string encode_signed_record_response(std::string_view id, const boost::json::object& record,
                                          const std::vector<std::string>& only,
                                          const integrity::SignedRecord& signature);
/// The answer to a request that carried `seal_for`: the record sealed for the consumer (base64).
std::string encode_sealed_response(std::string_view id, std::string_view sealed);
std::string encode_error_response(std::string_view id, const Error& error);

struct ReadyMessage {
  std::string connection;
  std::vector<std::string> serves;
  bool batch = false;  ///< the broker takes frames of several messages, one per line
};
/// The broker refused the hello (final), or reported a problem with something we sent.
struct RefusedMessage {
  Error error;
};
struct BrokerErrorMessage {
  Error error;
};
using BrokerMessage = std::variant<ReadyMessage, RefusedMessage, ProviderRequest, BrokerErrorMessage, Delivery>;

/// One text frame from the broker. malformed_request when it breaks the contract: not a JSON
/// object, an unknown `type`, a missing or mistyped field.
Result<BrokerMessage> decode_broker_message(std::string_view text);

/// The `id` of a frame that looks like a request but failed to decode, so that the provider can
/// still answer it (with an error) rather than leave the consumer waiting for the timeout.
std::optional<std::string> request_id_of_malformed(std::string_view text);

}  // namespace pse::wire

// The JSON of publish/subscribe (docs/api/exchange-protocol.md): the body of `POST /v1/publish`
// and its 202 answer, and the connector's `delivery` / `ack` / `nack` messages.
#pragma once

#include <pse/publish.hpp>
#include <pse/record_proof.hpp>
#include <pse/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::wire {

/// With `signature`, the body carries it as "integrity" (pse/record_proof.hpp).
std::string encode_publish_request(const PublishRequest& request,
                                   const std::optional<integrity::SignedRecord>& signature = std::nullopt);

/// The 202 body. malformed_request (naming the problem) when it breaks the contract.
Result<PublishResponse> decode_publish_response(std::string_view body);

/// The `subscribes` member of a hello.
boost::json::array encode_subscriptions(const std::vector<Subscription>& subscriptions);

std::string encode_ack(std::string_view delivery_id);
std::string encode_nack(std::string_view delivery_id, const Error& error);

}  // namespace pse::wire

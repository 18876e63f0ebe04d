// The JSON of `POST /v1/exchange` (docs/api/exchange-protocol.md): the request the client
// sends, the success body and the error body it reads back.
#pragma once

#include <pse/exchange.hpp>
#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <optional>

#include <string>
#include <string_view>

namespace pse::wire {

/// The request body, with `request_id` (the caller's or one the SDK made).
std::string encode_exchange_request(const ExchangeRequest& request, std::string_view request_id);

/// Reads a request in the wire shape (C ABI input). Strict like the broker: unknown fields and
/// wrong types are malformed_request.
Result<ExchangeRequest> decode_exchange_request(std::string_view body);

/// The 200 body shape of a response (C ABI output).
std::string encode_exchange_response(const ExchangeResponse& response);

/// The 200 body. malformed_request (naming the problem) when it breaks the contract.
Result<ExchangeResponse> decode_exchange_response(std::string_view body);
/// Why a record breaks the contract (a value that is not a JSON scalar), or std::nullopt.
std::optional<std::string> check_record(const boost::json::object& record);

/// The outcome of a non-200 answer: the `code` of the JSON error body as a Reason with its
/// message. A code this SDK does not know, or a body that is not the error JSON (a proxy's
/// page), falls back to the Reason of the HTTP status and keeps the text in the message.
Error decode_error_body(int status, std::string_view body);

/// The Reason that stands for an HTTP status when the body gives no usable code.
Reason reason_for_status(int status);

}  // namespace pse::wire

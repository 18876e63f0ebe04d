// A consumer's POST /v1/exchange body, read strictly (see docs/api/exchange-protocol.md).
#pragma once

#include <pse/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

struct ExchangeRequest {
  std::string request_id;  ///< the consumer's, or one the broker made
  bool request_id_given = false;  ///< false: the broker made it, so nobody can retry with it
  std::string subject;
  std::string provider;
  std::string category;
  std::string purpose;
  std::vector<std::string> fields;  ///< empty: every permitted field
};

/// Parses and validates the body; a missing request id is replaced by a fresh one.
Result<ExchangeRequest> parse_exchange_request(std::string_view body);

/// True for 1–64 characters of A-Z a-z 0-9 . _ -
bool is_valid_request_id(std::string_view id) noexcept;

/// A fresh request id, "rq-" and 24 hex digits.
std::string new_request_id();

}  // namespace pse::broker

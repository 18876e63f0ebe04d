#include "broker/exchange/exchange_request.hpp"

#include "base/random_id.hpp"
#include "broker/json_body.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <algorithm>

namespace pse::broker {
namespace {

Error malformed(std::string message) { return make_error(Reason::malformed_request, std::move(message)); }

bool is_printable(std::string_view text, std::size_t max_size) {
  return !text.empty() && text.size() <= max_size &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace

bool is_valid_request_id(std::string_view id) noexcept {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

std::string new_request_id() { return random_id("rq-", 12); }

Result<ExchangeRequest> parse_exchange_request(std::string_view body) {
  // The parsed tree only lives for this function: parse it into a buffer on the stack.
  unsigned char scratch_buffer[4096];
  boost::json::monotonic_resource scratch(scratch_buffer, sizeof scratch_buffer);
  auto object = parse_json_object(body, &scratch);
  if (!object) return object.error();
  JsonFields fields(*object);
  ExchangeRequest request;
  auto request_id = fields.optional_string("request_id");
  request.subject = fields.required_string("subject");
  request.provider = fields.required_string("provider");
  request.category = fields.required_string("category");
  request.purpose = fields.required_string("purpose");
  request.fields = fields.optional_string_list("fields");
  if (auto problem = fields.finish()) return *problem;

  if (request_id) {
    if (!is_valid_request_id(*request_id)) return malformed("request_id must be 1-64 of A-Z a-z 0-9 . _ -");
    request.request_id = std::move(*request_id);
    request.request_id_given = true;
  } else {
    request.request_id = new_request_id();
  }
  if (!is_printable(request.subject, 128)) return malformed("subject must be 1-128 printable characters");
  for (const std::string* name : {&request.provider, &request.category, &request.purpose}) {
    if (!is_printable(*name, 128)) return malformed("provider, category and purpose must be 1-128 printable characters");
  }
  if (request.fields.size() > 64) return malformed("at most 64 fields may be requested");
  for (const auto& field : request.fields) {
    if (!is_printable(field, 64)) return malformed("field names must be 1-64 printable characters");
  }
  return request;
}

}  // namespace pse::broker

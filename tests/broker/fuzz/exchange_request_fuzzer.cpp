// libFuzzer: any bytes as the body of POST /v1/exchange. A body is a request or a
// malformed_request that says why; a request holds only values within their limits, and reads
// back the same once written out as JSON again.
#include "broker/exchange/exchange_request.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

namespace json = boost::json;
using pse::broker::ExchangeRequest;

bool bounded(const std::string& text, std::size_t max) { return !text.empty() && text.size() <= max; }

json::object to_json(const ExchangeRequest& request) {
  json::array fields;
  for (const auto& field : request.fields) fields.emplace_back(field);
  return json::object{{"request_id", request.request_id}, {"subject", request.subject},
                      {"provider", request.provider},     {"category", request.category},
                      {"purpose", request.purpose},       {"fields", std::move(fields)}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = pse::broker::parse_exchange_request(body);
  if (!request) {
    if (request.error().reason != pse::Reason::malformed_request || request.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!pse::broker::is_valid_request_id(request->request_id) || !bounded(request->subject, 128) ||
      !bounded(request->provider, 128) || !bounded(request->category, 128) || !bounded(request->purpose, 128) ||
      request->fields.size() > 64) {
    __builtin_trap();
  }
  auto again = pse::broker::parse_exchange_request(json::serialize(to_json(*request)));
  if (!again || again->request_id != request->request_id || again->subject != request->subject ||
      again->provider != request->provider || again->category != request->category ||
      again->purpose != request->purpose || again->fields != request->fields) {
    __builtin_trap();
  }
  return 0;
}

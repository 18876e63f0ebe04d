// libFuzzer: any bytes as the body of POST /v1/publish. A body is a publish or a
// malformed_request that says why; a publish holds a bounded record of scalars and reads back
// the same once written out as JSON again.
#include "broker/pubsub/publish_request.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

namespace json = boost::json;
using pse::broker::PublishRequest;

json::object to_json(const PublishRequest& request) {
  json::array to;
  for (const auto& organisation : request.to) to.emplace_back(organisation);
  return json::object{{"category", request.category}, {"subject", request.subject},
                      {"idempotency_key", request.idempotency_key}, {"record", request.record},
                      {"to", std::move(to)}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = pse::broker::parse_publish_request(body);
  if (!request) {
    if (request.error().reason != pse::Reason::malformed_request || request.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!pse::broker::is_valid_idempotency_key(request->idempotency_key) || request->record.empty() ||
      request->record.size() > 64 || request->to.size() > 64) {
    __builtin_trap();
  }
  for (const auto& [name, value] : request->record) {
    if (value.is_object() || value.is_array()) __builtin_trap();
  }
  auto again = pse::broker::parse_publish_request(json::serialize(to_json(*request)));
  if (!again || again->category != request->category || again->subject != request->subject ||
      again->idempotency_key != request->idempotency_key || again->record != request->record ||
      again->to != request->to) {
    __builtin_trap();
  }
  return 0;
}

// libFuzzer: any bytes as a WebSocket message from a connector, read as the connector session
// reads it (net/connector_session.cpp): the JSON object parsed into a bounded scratch buffer,
// its type, then every reader of connector_message.hpp. A hello is accepted only within its
// limits; a delivery id is the number its digits say.
#include "broker/connector/connector_message.hpp"
#include "broker/json_body.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace json = boost::json;

void check_hello(const json::object& message) {
  auto hello = pse::broker::read_hello(message);
  if (!hello) {
    if (hello.error().reason != pse::Reason::malformed_request) __builtin_trap();
    return;
  }
  if (hello->serves.empty() && hello->subscribes.empty()) __builtin_trap();
  if (hello->max_in_flight && (*hello->max_in_flight < 1 || *hello->max_in_flight > 1024)) __builtin_trap();
  if (hello->subscribes.size() > 256) __builtin_trap();
  for (const auto& subscription : hello->subscribes) {
    if (subscription.purpose.empty() || subscription.purpose.size() > 128) __builtin_trap();
  }
}

void check_delivery_id(const json::object& message) {
  const auto id = pse::broker::delivery_id(message);
  if (!id) return;
  std::string_view digits = message.at("id").as_string();
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (std::to_string(*id) != digits) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  unsigned char scratch_buffer[8192];
  json::monotonic_resource scratch(scratch_buffer, sizeof scratch_buffer);
  auto parsed = pse::broker::parse_json_object(text, &scratch);
  if (!parsed) return 0;
  (void)pse::broker::connector_message_type(*parsed);
  check_hello(*parsed);
  check_delivery_id(*parsed);
  (void)pse::broker::nack_reason(*parsed);
  (void)pse::broker::response_id(*parsed);
  auto outcome = pse::broker::response_outcome(*parsed);
  // A response is a record, a sealed record, or one of these three refusals (integrity_failed: an
  // "integrity" member that is not a signature beside a record).
  if (!outcome && outcome.error().reason != pse::Reason::record_not_found &&
      outcome.error().reason != pse::Reason::provider_error && outcome.error().reason != pse::Reason::integrity_failed) {
    __builtin_trap();
  }
  return 0;
}

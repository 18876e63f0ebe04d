#include "broker/connector/connector_message.hpp"

#include "broker/json_body.hpp"
#include "broker/signed_record_json.hpp"

#include <charconv>

namespace pse::broker {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxSubscriptions = 256;
constexpr std::int64_t kMaxInFlight = 1024;

Error malformed(std::string message) { return make_error(Reason::malformed_request, std::move(message)); }

Result<std::vector<ConnectorSubscription>> read_subscriptions(const json::value& value) {
  if (!value.is_array()) return malformed("subscribes must be a list of {category, purpose}");
  const json::array& list = value.as_array();
  if (list.size() > kMaxSubscriptions) return malformed("at most 256 subscriptions per connector");
  std::vector<ConnectorSubscription> subscriptions;
  subscriptions.reserve(list.size());
  for (const json::value& item : list) {
    if (!item.is_object()) return malformed("subscribes must be a list of {category, purpose}");
    JsonFields entry(item.as_object(), "subscribes.");
    ConnectorSubscription subscription{entry.required_string("category"), entry.required_string("purpose")};
    if (auto error = entry.finish()) return *error;
    if (subscription.purpose.empty() || subscription.purpose.size() > 128) {
      return malformed("purpose must be 1-128 characters");
    }
    subscriptions.push_back(std::move(subscription));
  }
  return subscriptions;
}

}  // namespace

ConnectorMessageType connector_message_type(const json::object& message) {
  const json::value* type = message.if_contains("type");
  if (type == nullptr || !type->is_string()) return ConnectorMessageType::unknown;
  const json::string& name = type->as_string();
  if (name == "hello") return ConnectorMessageType::hello;
  if (name == "response") return ConnectorMessageType::response;
  if (name == "ack") return ConnectorMessageType::ack;
  if (name == "nack") return ConnectorMessageType::nack;
  return ConnectorMessageType::unknown;
}

Result<ConnectorHello> read_hello(const json::object& message) {
  JsonFields fields(message);
  fields.required_string("type");
  ConnectorHello hello;
  hello.serves = fields.optional_string_list("serves");
  const json::value* subscribes = fields.optional_value("subscribes");
  const json::value* max = fields.optional_value("max_in_flight");
  const json::value* batch = fields.optional_value("batch");
  if (auto problem = fields.finish()) return *problem;
  if (batch != nullptr && !batch->is_bool()) return malformed("batch must be true or false");
  hello.batch = batch != nullptr && batch->get_bool();
  if (subscribes != nullptr && !subscribes->is_array()) {
    return malformed("subscribes must be a list of {category, purpose}");
  }
  if (max != nullptr) {
    if (!max->is_int64() || max->as_int64() < 1 || max->as_int64() > kMaxInFlight) {
      return malformed("max_in_flight must be an integer between 1 and 1024");
    }
    hello.max_in_flight = static_cast<std::uint32_t>(max->as_int64());
  }
  if (subscribes != nullptr) {
    auto subscriptions = read_subscriptions(*subscribes);
    if (!subscriptions) return subscriptions.error();
    hello.subscribes = std::move(*subscriptions);
  }
  if (hello.serves.empty() && hello.subscribes.empty()) {
    return malformed("a hello must serve or subscribe to at least one category");
  }
  return hello;
}

std::optional<std::string_view> response_id(const json::object& message) {
  const json::value* id = message.if_contains("id");
  if (id == nullptr || !id->is_string()) return std::nullopt;
  return std::string_view(id->as_string());
}

Result<ProviderAnswer> response_outcome(json::object& message) {
  std::optional<integrity::SignedRecord> signature;
  if (const json::value* integrity = message.if_contains("integrity")) {
    signature = read_signature(*integrity);
    if (!signature || message.if_contains("record") == nullptr) {
      return make_error(Reason::integrity_failed, "the provider's integrity member is not {jws, disclosures} beside a record");
    }
  }
  json::value* record = message.if_contains("record");
  const json::value* sealed = message.if_contains("sealed");
  const json::value* error = message.if_contains("error");
  const int kinds = (record != nullptr) + (sealed != nullptr) + (error != nullptr);
  if (kinds == 1 && record != nullptr && record->is_object()) {
    return ProviderAnswer{std::move(record->as_object()), {}, std::move(signature)};
  }
  if (kinds == 1 && sealed != nullptr && sealed->is_string() && !sealed->as_string().empty()) {
    return ProviderAnswer{{}, std::string(sealed->as_string()), std::nullopt};
  }
  if (kinds == 1 && error != nullptr && error->is_object()) {
    const json::value* code = error->as_object().if_contains("code");
    if (code != nullptr && code->is_string() && code->as_string() == "record_not_found") {
      return make_error(Reason::record_not_found, "the provider holds no record for this subject");
    }
    return make_error(Reason::provider_error, "the provider reported an error");
  }
  return make_error(Reason::provider_error, "the provider's response has not exactly one of a record, a sealed record and an error");
}

std::optional<std::uint64_t> delivery_id(const json::object& message) {
  const json::value* id = message.if_contains("id");
  if (id == nullptr || !id->is_string()) return std::nullopt;
  const json::string& text = id->as_string();
  if (text.empty() || text.size() > 20) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  // from_chars, not stoull: twenty digits can exceed 64 bits, and an exception thrown here
  // would leave the connection's handler and end the broker.
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string nack_reason(const json::object& message) {
  const json::value* error = message.if_contains("error");
  const json::value* code = error != nullptr && error->is_object() ? error->as_object().if_contains("code") : nullptr;
  if (code != nullptr && code->is_string()) {
    if (auto known = reason_from_string(code->as_string())) return std::string(to_string(*known));
  }
  return "nack";
}

}  // namespace pse::broker

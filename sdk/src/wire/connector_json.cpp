#include "wire/connector_json.hpp"

#include <pse/record_fields.hpp>

#include "wire/exchange_json.hpp"
#include "wire/json_reader.hpp"
#include "wire/publish_json.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace pse::wire {
namespace json = boost::json;

namespace {

json::object error_object(const Error& error) {
  json::object object;
  object["code"] = to_string(error.reason);
  object["message"] = error.message.empty() ? std::string(describe(error.reason)) : error.message;
  return object;
}

Error decode_error_object(JsonReader& reader) {
  Error error{Reason::internal_error, {}};
  const auto* object = reader.required_object("error");
  if (object == nullptr) return error;
  JsonReader fields(*object, "error");
  const std::string code = fields.required_string("code");
  error.message = fields.optional_string("message").value_or("");
  if (auto problem = fields.finish()) {
    reader.fail(problem->message);
    return error;
  }
  if (auto reason = reason_from_string(code)) {
    error.reason = *reason;
  } else {
    error.message = code + (error.message.empty() ? "" : ": " + error.message);
  }
  return error;
}

ProviderRequest decode_request(JsonReader& reader) {
  ProviderRequest request;
  request.id = reader.required_string("id");
  request.request_id = reader.required_string("request_id");
  request.consumer = reader.required_string("consumer");
  request.category = reader.required_string("category");
  request.purpose = reader.required_string("purpose");
  request.subject = reader.required_string("subject");
  request.fields = reader.string_list("fields", true);
  const auto timeout = reader.required_unsigned("timeout_ms");
  // Larger than a day is a broken broker, not a patient one; also keeps the cast safe.
  constexpr std::uint64_t kLongest = 86'400'000;
  if (timeout == 0 || timeout > kLongest) reader.fail("\"timeout_ms\" must be between 1 and 86400000");
  request.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout));
  if (auto seal_for = reader.optional_string("seal_for")) request.seal_for = std::move(*seal_for);
  request.sign = reader.optional_bool("sign").value_or(false);
  if (!reader.failed() && request.id.empty()) reader.fail("\"id\" must not be empty");
  return request;
}

Delivery decode_delivery(JsonReader& reader) {
  Delivery delivery;
  delivery.id = reader.required_string("id");
  delivery.event_id = reader.required_string("event_id");
  delivery.publisher = reader.required_string("publisher");
  delivery.category = reader.required_string("category");
  delivery.purpose = reader.required_string("purpose");
  delivery.subject = reader.required_string("subject");
  delivery.published_at = reader.required_string("published_at");
  delivery.obligations = reader.string_list("obligations", false);
  const auto attempt = reader.required_unsigned("attempt");
  if (attempt == 0 || attempt > 1'000'000) reader.fail("\"attempt\" must be between 1 and 1000000");
  delivery.attempt = static_cast<unsigned>(attempt);
  // Under end_to_end_encryption the record comes sealed for this organisation instead.
  if (auto sealed = reader.optional_string("sealed_record")) {
    delivery.sealed_record = std::move(*sealed);
    if (delivery.sealed_record.empty()) reader.fail("\"sealed_record\" must not be empty");
  } else if (const auto* record = reader.required_object("record")) {
    if (auto problem = check_record(*record)) reader.fail(*problem);
    delivery.record = *record;
  }
  if (const auto* integrity = reader.optional_object("integrity")) {
    JsonReader signature(*integrity, "delivery integrity");
    delivery.signature.jws = signature.required_string("jws");
    delivery.signature.disclosures = signature.string_list("disclosures", true);
    if (auto problem = signature.finish()) reader.fail(problem->message);
  }
  if (!reader.failed() && delivery.id.empty()) reader.fail("\"id\" must not be empty");
  return delivery;
}

}  // namespace

std::string encode_hello(const std::vector<std::string>& serves, const std::vector<Subscription>& subscriptions,
                         std::size_t max_in_flight) {
  json::object hello;
  hello["type"] = "hello";
  json::array categories;
  for (const auto& category : serves) categories.emplace_back(category);
  hello["serves"] = std::move(categories);
  if (!subscriptions.empty()) hello["subscribes"] = encode_subscriptions(subscriptions);
  hello["max_in_flight"] = static_cast<std::uint64_t>(max_in_flight);
  // This SDK reads frames of several messages, one per line, and writes them once the broker's
  // ready says it reads them too.
  hello["batch"] = true;
  return json::serialize(hello);
}

// Written as text: no copy of the record into a second tree per answer.
std::string encode_record(const json::object& record, const std::vector<std::string>& only) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : record) {
    const bool listed = only.empty() || std::find(only.begin(), only.end(), std::string_view(name)) != only.end();
    // A list field not listed itself goes with each item kept to its listed sub-fields, if any.
    json::object kept;
    if (!listed && (!value.is_array() || (kept = records::project(json::object{{name, value}}, only)).empty())) continue;
    if (!first) out += ',';
    first = false;
    out += json::serialize(name);
    out += ':';
    out += json::serialize(listed ? value : kept.at(name));
  }
  out += '}';
  return out;
}

std::string encode_record_response(std::string_view id, const json::object& record,
                                   const std::vector<std::string>& only) {
  std::string out = "{\"type\":\"response\",\"id\":";
  out += json::serialize(json::string_view(id));
  out += ",\"record\":";
  out += encode_record(record, only);
  out += '}';
  return out;
}

std::string encode_signed_record_response(std::string_view id, const json::object& record,
                                          const std::vector<std::string>& only,
                                          const integrity::SignedRecord& signature) {
  std::string out = encode_record_response(id, record, only);
  out.pop_back();
  out += ",\"integrity\":{\"jws\":";
  out += json::serialize(json::string_view(signature.jws));
  out += ",\"disclosures\":[";
  for (std::size_t i = 0; i < signature.disclosures.size(); ++i) {
    if (i > 0) out += ',';
    out += json::serialize(json::string_view(signature.disclosures[i]));
  }
  out += "]}}";
  return out;
}

std::string encode_sealed_response(std::string_view id, std::string_view sealed) {
  json::object response;
  response["type"] = "response";
  response["id"] = id;
  response["sealed"] = sealed;
  return json::serialize(response);
}

std::string encode_error_response(std::string_view id, const Error& error) {
  json::object response;
  response["type"] = "response";
  response["id"] = id;
  response["error"] = error_object(error);
  return json::serialize(response);
}

Result<BrokerMessage> decode_broker_message(std::string_view text) {
  // The message is copied out into plain strings (and a delivery's record into its own
  // object, by assignment) before this returns: the tree itself can live on the stack.
  unsigned char scratch_buffer[8192];
  json::monotonic_resource scratch(scratch_buffer, sizeof scratch_buffer);
  auto object = parse_object(text, "broker message", &scratch);
  if (!object) return object.error();
  JsonReader reader(*object, "broker message");
  const std::string type = reader.required_string("type");
  if (auto error = reader.finish()) return *error;

  BrokerMessage message;
  if (type == "request") {
    JsonReader request_reader(*object, "request message");
    message = decode_request(request_reader);
    if (auto error = request_reader.finish()) return *error;
  } else if (type == "delivery") {
    JsonReader delivery_reader(*object, "delivery message");
    message = decode_delivery(delivery_reader);
    if (auto error = delivery_reader.finish()) return *error;
  } else if (type == "ready") {
    JsonReader ready_reader(*object, "ready message");
    ReadyMessage ready;
    ready.connection = ready_reader.required_string("connection");
    ready.serves = ready_reader.string_list("serves", true);
    ready.batch = ready_reader.optional_bool("batch").value_or(false);
    if (auto error = ready_reader.finish()) return *error;
    message = std::move(ready);
  } else if (type == "refused" || type == "error") {
    JsonReader error_reader(*object, type + " message");
    Error error = decode_error_object(error_reader);
    if (auto problem = error_reader.finish()) return *problem;
    if (type == "refused") {
      message = RefusedMessage{std::move(error)};
    } else {
      message = BrokerErrorMessage{std::move(error)};
    }
  } else {
    return make_error(Reason::malformed_request, "broker message: unknown type \"" + type + "\"");
  }
  return message;
}

std::optional<std::string> request_id_of_malformed(std::string_view text) {
  auto object = parse_object(text, "broker message");
  if (!object) return std::nullopt;
  const auto* type = object->if_contains("type");
  const auto* id = object->if_contains("id");
  if (type == nullptr || !type->is_string() || type->as_string() != "request") return std::nullopt;
  if (id == nullptr || !id->is_string() || id->as_string().empty()) return std::nullopt;
  return std::string(id->as_string());
}

}  // namespace pse::wire

#include "wire/exchange_json.hpp"

#include <pse/record_fields.hpp>

#include "wire/json_reader.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace pse::wire {
namespace json = boost::json;

std::string encode_exchange_request(const ExchangeRequest& request, std::string_view request_id) {
  json::object body;
  body["request_id"] = request_id;
  body["subject"] = request.subject;
  body["provider"] = request.provider;
  body["category"] = request.category;
  body["purpose"] = request.purpose;
  // Absent and empty mean the same on the wire; absent keeps the body minimal.
  if (!request.fields.empty()) {
    json::array fields;
    for (const auto& field : request.fields) fields.emplace_back(field);
    body["fields"] = std::move(fields);
  }
  return json::serialize(body);
}

Result<ExchangeRequest> decode_exchange_request(std::string_view body) {
  auto object = parse_object(body, "exchange request");
  if (!object) return object.error();
  static constexpr std::string_view kKnown[] = {"request_id", "subject", "provider", "category", "purpose", "fields"};
  for (const auto& entry : *object) {
    if (std::find(std::begin(kKnown), std::end(kKnown), entry.key()) == std::end(kKnown)) {
      return make_error(Reason::malformed_request, "exchange request: unknown field \"" + std::string(entry.key()) + "\"");
    }
  }
  JsonReader reader(*object, "exchange request");
  ExchangeRequest request;
  request.request_id = reader.optional_string("request_id");
  request.subject = reader.required_string("subject");
  request.provider = reader.required_string("provider");
  request.category = reader.required_string("category");
  request.purpose = reader.required_string("purpose");
  request.fields = reader.string_list("fields", false);
  if (auto error = reader.finish()) return *error;
  return request;
}

std::string encode_exchange_response(const ExchangeResponse& response) {
  json::object body;
  body["request_id"] = response.request_id;
  body["record"] = response.record;
  json::array refused;
  for (const auto& field : response.refused_fields) refused.push_back(json::object{{"name", field.name}, {"reason", field.code}});
  body["refused_fields"] = std::move(refused);
  body["rule_id"] = response.rule_id;
  body["basis"] = json::object{{"type", response.basis.type}, {"reference", response.basis.reference}};
  json::array obligations;
  for (const auto& obligation : response.obligations) obligations.emplace_back(obligation);
  body["obligations"] = std::move(obligations);
  body["audit_seq"] = response.audit_seq;
  return json::serialize(body);
}

std::optional<std::string> check_record(const json::object& record) {
  for (const auto& [name, value] : record) {
    if (auto problem = records::value_problem(name, value)) return "record: " + *problem;
  }
  return std::nullopt;
}

Result<ExchangeResponse> decode_exchange_response(std::string_view body) {
  auto object = parse_object(body, "exchange response");
  if (!object) return object.error();
  JsonReader reader(*object, "exchange response");
  ExchangeResponse response;
  response.request_id = reader.required_string("request_id");
  // A record sealed for the consumer (end_to_end_encryption) comes instead of the record.
  if (auto sealed = reader.optional_string("sealed_record")) {
    response.sealed_record = std::move(*sealed);
    if (response.sealed_record.empty()) reader.fail("\"sealed_record\" must not be empty");
  } else if (const auto* record = reader.required_object("record")) {
    if (auto error = check_record(*record)) reader.fail(*error);
    response.record = *record;
  }
  if (const auto* refused = reader.optional_array("refused_fields")) {
    for (const auto& item : *refused) {
      if (!item.is_object()) {
        reader.fail("\"refused_fields\" must hold objects");
        break;
      }
      JsonReader field(item.as_object(), "refused field");
      RefusedField entry;
      entry.name = field.required_string("name");
      entry.code = field.required_string("reason");
      if (auto error = field.finish()) return *error;
      entry.reason = reason_from_string(entry.code).value_or(Reason::field_not_permitted);
      response.refused_fields.push_back(std::move(entry));
    }
  }
  response.rule_id = reader.required_string("rule_id");
  if (const auto* basis = reader.required_object("basis")) {
    JsonReader basis_reader(*basis, "exchange response basis");
    response.basis.type = basis_reader.required_string("type");
    response.basis.reference = basis_reader.required_string("reference");
    if (auto error = basis_reader.finish()) return *error;
  }
  response.obligations = reader.string_list("obligations", false);
  if (const auto* integrity = reader.optional_object("integrity")) {
    JsonReader signature(*integrity, "exchange response integrity");
    response.signature.jws = signature.required_string("jws");
    response.signature.disclosures = signature.string_list("disclosures", true);
    if (auto error = signature.finish()) return *error;
    if (response.signature.jws.empty()) reader.fail("\"integrity\".\"jws\" must not be empty");
  }
  response.audit_seq = reader.required_unsigned("audit_seq");
  if (auto error = reader.finish()) return *error;
  return response;
}

Reason reason_for_status(int status) {
  switch (status) {
    case 400: return Reason::malformed_request;
    case 401: return Reason::certificate_invalid;
    case 403: return Reason::no_rule;
    case 404: return Reason::not_found;
    case 405: return Reason::method_not_allowed;
    case 408: return Reason::request_timeout;
    case 409: return Reason::record_not_current;
    case 413: return Reason::payload_too_large;
    case 429: return Reason::rate_limited;
    case 431: return Reason::headers_too_large;
    case 502: return Reason::provider_error;
    case 503: return Reason::overloaded;
    case 504: return Reason::provider_timeout;
    default: return Reason::internal_error;
  }
}

Error decode_error_body(int status, std::string_view body) {
  auto object = parse_object(body, "error body");
  if (object) {
    if (const auto* error = object->if_contains("error"); error != nullptr && error->is_object()) {
      const auto& fields = error->as_object();
      const auto* code = fields.if_contains("code");
      const auto* message = fields.if_contains("message");
      std::string text = message != nullptr && message->is_string() ? std::string(message->as_string()) : "";
      if (code != nullptr && code->is_string()) {
        const std::string code_text(code->as_string());
        if (auto reason = reason_from_string(code_text)) return make_error(*reason, std::move(text));
        return make_error(reason_for_status(status), code_text + (text.empty() ? "" : ": " + text));
      }
    }
  }
  // Not the broker's error JSON: keep a bounded excerpt for the person reading the log.
  constexpr std::size_t kExcerpt = 200;
  std::string excerpt(body.substr(0, kExcerpt));
  return make_error(reason_for_status(status),
                    "HTTP " + std::to_string(status) + (excerpt.empty() ? "" : ": " + excerpt));
}

}  // namespace pse::wire

#include "wire/publish_json.hpp"

#include "wire/json_reader.hpp"

#include <boost/json/serialize.hpp>

namespace pse::wire {
namespace json = boost::json;

std::string encode_publish_request(const PublishRequest& request,
                                   const std::optional<integrity::SignedRecord>& signature) {
  json::object body;
  body["category"] = request.category;
  body["subject"] = request.subject;
  body["idempotency_key"] = request.idempotency_key;
  body["record"] = request.record;
  if (!request.to.empty()) {
    json::array to;
    for (const auto& organisation : request.to) to.emplace_back(organisation);
    body["to"] = std::move(to);
  }
  if (signature) {
    json::array disclosures;
    for (const auto& disclosure : signature->disclosures) disclosures.emplace_back(disclosure);
    body["integrity"] = json::object{{"jws", signature->jws}, {"disclosures", std::move(disclosures)}};
  }
  return json::serialize(body);
}

Result<PublishResponse> decode_publish_response(std::string_view body) {
  auto object = parse_object(body, "publish response");
  if (!object) return object.error();
  JsonReader reader(*object, "publish response");
  PublishResponse response;
  response.event_id = reader.required_string("event_id");
  const json::value* duplicate = object->if_contains("duplicate");
  if (duplicate == nullptr || !duplicate->is_bool()) {
    reader.fail("\"duplicate\" must be a boolean");
  } else {
    response.duplicate = duplicate->as_bool();
  }
  if (auto error = reader.finish()) return *error;
  return response;
}

json::array encode_subscriptions(const std::vector<Subscription>& subscriptions) {
  json::array list;
  for (const auto& subscription : subscriptions) {
    list.push_back(json::object{{"category", subscription.category}, {"purpose", subscription.purpose}});
  }
  return list;
}

std::string encode_ack(std::string_view delivery_id) {
  return json::serialize(json::object{{"type", "ack"}, {"id", delivery_id}});
}

std::string encode_nack(std::string_view delivery_id, const Error& error) {
  json::object error_object{{"code", to_string(error.reason)},
                            {"message", error.message.empty() ? std::string(describe(error.reason)) : error.message}};
  return json::serialize(json::object{{"type", "nack"}, {"id", delivery_id}, {"error", std::move(error_object)}});
}

}  // namespace pse::wire

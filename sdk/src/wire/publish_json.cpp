#include "wire/publish_json.hpp"

#include "wire/json_reader.hpp"

#include <boost/json/serialize.hpp>

namespace pse::wire {
namespace json = boost::json;

namespace {

json::array string_array(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return array;
}

}  // namespace

std::string encode_publish_request(const PublishRequest& request, const PreparedPublish& prepared) {
  json::object body;
  body["category"] = request.category;
  body["subject"] = request.subject;
  body["idempotency_key"] = request.idempotency_key;
  body["record"] = prepared.record;
  if (!request.to.empty()) body["to"] = string_array(request.to);
  if (prepared.signature) {
    body["integrity"] = json::object{{"jws", prepared.signature->jws},
                                     {"disclosures", string_array(prepared.signature->disclosures)}};
  }
  if (prepared.sealing) {
    json::array sealed;
    for (const SealedCopy& copy : prepared.sealed) {
      sealed.push_back(json::object{
          {"for", copy.recipient}, {"fields", string_array(copy.fields)}, {"sealed_record", copy.sealed_record}});
    }
    body["sealed"] = std::move(sealed);
  }
  return json::serialize(body);
}

Result<SealingPlan> decode_sealing_plan(std::string_view body) {
  auto object = parse_object(body, "sealing plan");
  if (!object) return object.error();
  JsonReader reader(*object, "sealing plan");
  SealingPlan plan;
  plan.clear_fields = reader.string_list("clear_fields", true);
  const json::array* sealed = reader.optional_array("sealed");
  if (sealed == nullptr) reader.fail("\"sealed\" must be a list");
  for (std::size_t i = 0; sealed != nullptr && i < sealed->size(); ++i) {
    if (!(*sealed)[i].is_object()) {
      reader.fail("\"sealed\" must list objects");
      break;
    }
    JsonReader item((*sealed)[i].as_object(), "sealing plan recipient");
    SealingPlan::Recipient recipient;
    recipient.organisation = item.required_string("organisation");
    recipient.fields = item.string_list("fields", true);
    // null: the platform has no key for that recipient, so nothing can be sealed for it.
    if (const json::value* key = (*sealed)[i].as_object().if_contains("key"); key != nullptr && !key->is_null()) {
      recipient.key = item.optional_string("key");
    }
    if (auto problem = item.finish()) reader.fail(problem->message);
    plan.sealed.push_back(std::move(recipient));
  }
  if (auto error = reader.finish()) return *error;
  return plan;
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

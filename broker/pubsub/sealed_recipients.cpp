#include "broker/pubsub/sealed_recipients.hpp"

#include "broker/exchange/registered_keys.hpp"
#include "policy/snapshot.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace pse::broker {
namespace json = boost::json;

namespace {

// The rule's fields in the category's order, as a decision lists its permitted fields.
std::vector<std::string> in_category_order(const policy::Category& category, const std::vector<std::string>& fields) {
  std::vector<std::string> ordered;
  for (const auto& field : category.fields) {
    if (std::find(fields.begin(), fields.end(), field.name) != fields.end()) ordered.push_back(field.name);
  }
  return ordered;
}

json::array string_array(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return array;
}

}  // namespace

SealingPlan sealing_plan(const policy::PolicySnapshot& snapshot, const policy::Category& category,
                         std::string_view publisher, policy::Instant at) {
  SealingPlan plan;
  std::vector<bool> clear(category.fields.size(), false);
  for (const policy::PolicyRule& rule : snapshot.rules()) {
    if (rule.provider != publisher || rule.category != category.id || !rule.validity.contains(at)) continue;
    std::vector<std::string> fields = in_category_order(category, rule.fields);
    if (!rule.obligations.contains(policy::Obligation::end_to_end_encryption)) {
      for (std::size_t i = 0; i < category.fields.size(); ++i) {
        if (std::find(fields.begin(), fields.end(), category.fields[i].name) != fields.end()) clear[i] = true;
      }
      continue;
    }
    const bool known = std::any_of(plan.sealed.begin(), plan.sealed.end(), [&](const SealedRecipient& recipient) {
      return recipient.organisation == rule.consumer && recipient.fields == fields;
    });
    if (!known) plan.sealed.push_back(SealedRecipient{rule.consumer, std::move(fields)});
  }
  for (std::size_t i = 0; i < category.fields.size(); ++i) {
    if (clear[i]) plan.clear_fields.push_back(category.fields[i].name);
  }
  return plan;
}

HttpResponse sealing_response(const policy::PolicySnapshot& snapshot, RegisteredKeys& encryption_keys,
                              std::string_view publisher, std::string_view category_id, policy::Instant at) {
  const policy::Category* category = snapshot.classification().find(category_id);
  if (category == nullptr) return error_response(Reason::unknown_category, "unknown category '" + std::string(category_id) + "'");
  if (!category->may_publish(publisher)) {
    return error_response(Reason::not_category_owner, "'" + std::string(publisher) + "' may not publish in '" +
                                                          category->id + "' (owner: " + category->owner + ")");
  }
  const SealingPlan plan = sealing_plan(snapshot, *category, publisher, at);
  json::array sealed;
  for (const SealedRecipient& recipient : plan.sealed) {
    json::value key = nullptr;
    if (auto registered = encryption_keys.public_key_of(recipient.organisation)) key = *registered;
    sealed.push_back(json::object{
        {"organisation", recipient.organisation}, {"fields", string_array(recipient.fields)}, {"key", std::move(key)}});
  }
  json::object body{
      {"category", category->id}, {"sealed", std::move(sealed)}, {"clear_fields", string_array(plan.clear_fields)}};
  return HttpResponse{200, "application/json", json::serialize(body)};
}

}  // namespace pse::broker

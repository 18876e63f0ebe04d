#include "broker/connector/connector_admission.hpp"

namespace pse::broker {

std::optional<ConnectorRefusal> check_hello(const policy::Organisation& org, const policy::PolicySnapshot& policies,
                                            const ConnectorHello& hello) {
  if (!hello.serves.empty() && !org.has_role(policy::Role::provider)) {
    return ConnectorRefusal{Reason::no_rule, "'" + org.id + "' does not have the provider role"};
  }
  for (const auto& category : hello.serves) {
    const policy::Category* known = policies.classification().find(category);
    if (known == nullptr) return ConnectorRefusal{Reason::unknown_category, "unknown category '" + category + "'"};
    if (known->owner != org.id) {
      return ConnectorRefusal{Reason::not_category_owner,
                              "category '" + category + "' belongs to '" + known->owner + "', not to '" + org.id + "'"};
    }
  }
  if (hello.subscribes.empty()) return std::nullopt;
  if (!org.has_role(policy::Role::subscriber)) {
    return ConnectorRefusal{Reason::no_rule, "'" + org.id + "' does not have the subscriber role"};
  }
  for (const ConnectorSubscription& subscription : hello.subscribes) {
    if (policies.classification().find(subscription.category) == nullptr) {
      return ConnectorRefusal{Reason::unknown_category, "unknown category '" + subscription.category + "'"};
    }
  }
  return std::nullopt;
}

std::vector<SubscriptionEntry> subscription_entries(const std::string& org_id, const ConnectorHello& hello) {
  std::vector<SubscriptionEntry> entries;
  entries.reserve(hello.subscribes.size());
  for (const ConnectorSubscription& subscription : hello.subscribes) {
    entries.push_back({org_id, subscription.category, subscription.purpose});
  }
  return entries;
}

std::string_view withdrawn_role(const policy::Organisation& org, const policy::PolicySnapshot& policies,
                                const std::vector<std::string>& serves, bool subscribed) {
  if (!serves.empty() && !org.has_role(policy::Role::provider)) return "role_withdrawn";
  for (const auto& category : serves) {
    const policy::Category* known = policies.classification().find(category);
    if (known == nullptr || known->owner != org.id) return "role_withdrawn";
  }
  if (subscribed && !org.has_role(policy::Role::subscriber)) return "role_withdrawn";
  return {};
}

}  // namespace pse::broker

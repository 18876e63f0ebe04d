// What a connector may do once its certificate has named its organisation: the checks of its
// hello (serving needs the provider role and categories the organisation owns; subscribing
// needs the subscriber role and known categories) and, after a reload, whether what it
// connected for still holds. Decided from the organisation and the policy in force alone, with
// no session or socket, so that it is unit-tested on its own; the session (net/) only applies
// the answer.
#pragma once

#include "broker/connector/connector_message.hpp"
#include "broker/pubsub/subscription_registry.hpp"
#include "policy/organisations.hpp"
#include "policy/snapshot.hpp"

#include <pse/reason.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

struct ConnectorRefusal {
  Reason reason;
  std::string message;
};

/// Why `hello` from `org` is refused, or nothing when it may go on. Policy rules are not
/// checked for subscriptions: they are checked on every event (rules change, and a refused
/// event is audited).
std::optional<ConnectorRefusal> check_hello(const policy::Organisation& org, const policy::PolicySnapshot& policies,
                                            const ConnectorHello& hello);

/// The rows to store for what `hello` subscribes to.
std::vector<SubscriptionEntry> subscription_entries(const std::string& org_id, const ConnectorHello& hello);

/// After a reload: "role_withdrawn" when `org` may no longer serve `serves` or (if
/// `subscribed`) subscribe under `policies`; empty when it still may.
std::string_view withdrawn_role(const policy::Organisation& org, const policy::PolicySnapshot& policies,
                                const std::vector<std::string>& serves, bool subscribed);

}  // namespace pse::broker

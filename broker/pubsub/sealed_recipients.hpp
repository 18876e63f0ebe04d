// Who receives a publisher's events in a category only sealed, and with which fields.
//
// A rule with `end_to_end_encryption` forbids the broker to hold the record in clear, so a
// publisher seals, before publishing, each such body's fields for that body's key. It learns
// which bodies and fields from `GET /v1/publish/sealing/{category}`: the rules that make this
// publisher their provider (policy, not per-citizen facts nor who subscribes now), each with
// the consumer's registered key, and the fields that other rules receive in clear — so that
// a field only sealed recipients may receive never travels in clear at all
// (docs/decisions/classification.md, "Publish/subscribe").
#pragma once

#include "broker/http_types.hpp"
#include "policy/instant.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::policy {
class PolicySnapshot;
struct Category;
}  // namespace pse::policy

namespace pse::broker {

class RegisteredKeys;

struct SealedRecipient {
  std::string organisation;
  std::vector<std::string> fields;  ///< in the category's order
};

struct SealingPlan {
  std::vector<SealedRecipient> sealed;    ///< one per distinct (organisation, fields)
  std::vector<std::string> clear_fields;  ///< what rules without the obligation receive
};

/// The plan for `publisher`'s events in `category` under the rules valid at `at`.
SealingPlan sealing_plan(const policy::PolicySnapshot& snapshot, const policy::Category& category,
                         std::string_view publisher, policy::Instant at);

/// The answer to GET /v1/publish/sealing/{category}: 200
/// {"category", "sealed":[{"organisation","fields","key"}], "clear_fields"}; a recipient with
/// no registered key is listed with "key": null (its deliveries are refused
/// encryption_key_missing). 400 unknown_category, 403 not_category_owner.
HttpResponse sealing_response(const policy::PolicySnapshot& snapshot, RegisteredKeys& encryption_keys,
                              std::string_view publisher, std::string_view category, policy::Instant at);

}  // namespace pse::broker

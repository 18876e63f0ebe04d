// PolicySnapshot: classification, organisations and rules compiled into one immutable,
// indexed value that answers decisions.
//
// A snapshot is built once (off the hot path) by compile_snapshot(), which checks that the
// three files agree — above all that no rule grants a field above its consumer's clearance:
// the classification wins, and such a rule is an error naming it. After that the snapshot never
// changes, so any number of threads may call decide() on it without locking; PolicyEngine swaps
// whole snapshots on reload.
//
// The order of checks in decide(), each denying with its reason code:
//   unknown_category → unknown_org → no_rule (nothing for consumer/provider/category)
//   → purpose_not_allowed → rule_expired (a rule for the purpose, but not valid at that time)
//   → per requested field: unknown_field, clearance_insufficient, field_not_permitted.
// Refused fields do not deny the exchange while at least one field remains permitted; they are
// listed in the decision so that nothing is silently dropped.
#pragma once

#include "base/config_error.hpp"
#include "policy/classification.hpp"
#include "policy/decision.hpp"
#include "policy/organisations.hpp"
#include "policy/policy_rule.hpp"
#include "policy/snapshot_index.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace pse::policy {

class PolicySnapshot {
 public:
  /// The decision for `request` at `request.at`. Never throws for any input.
  Decision decide(const DecisionRequest& request) const;

  const Classification& classification() const noexcept { return classification_; }
  const OrganisationRegistry& organisations() const noexcept { return organisations_; }
  const std::vector<PolicyRule>& rules() const noexcept { return rules_; }

  /// Every rule for this consumer, provider and category (for explanations, not decisions).
  std::vector<const PolicyRule*> rules_for(std::string_view consumer, std::string_view provider,
                                           std::string_view category) const;

 private:
  friend struct SnapshotCompiler;
  PolicySnapshot() = default;

  Decision decide_fields(const DecisionRequest& request, const index::CompiledCategory& category,
                         int clearance, std::uint32_t rule_position) const;

  Classification classification_;
  OrganisationRegistry organisations_;
  std::vector<PolicyRule> rules_;
  index::SnapshotIndex index_;
};

struct CompileOutcome {
  std::shared_ptr<const PolicySnapshot> snapshot;  ///< null when `errors` is not empty
  std::vector<ConfigError> errors;
};

/// Checks that the rules agree with the organisations and the classification, and indexes
/// them. Every disagreement is reported, each naming the rule, its file and line.
CompileOutcome compile_snapshot(Classification classification, OrganisationRegistry organisations,
                                std::vector<PolicyRule> rules);

}  // namespace pse::policy

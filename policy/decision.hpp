// What the policy engine is asked, and what it answers.
//
// A decision is a value, never a bare bool: the broker audits it, returns its reason code to
// a refused consumer, applies its obligations and its basis (a consent to look up, or a legal
// reference to record), and sends the provider only the permitted fields.
#pragma once

#include "policy/instant.hpp"
#include "policy/policy_rule.hpp"

#include <pse/reason.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::policy {

struct DecisionRequest {
  std::string_view consumer;  ///< organisation id of the recipient (from its certificate)
  std::string_view provider;  ///< organisation id of the body asked for the data
  std::string_view category;  ///< e.g. "identity.address"
  std::string_view purpose;   ///< e.g. "student_aid_eligibility"
  /// The fields asked for; empty means "every field the rule permits".
  std::vector<std::string> fields;
  /// The time the decision is made for. The engine never reads the clock itself.
  Instant at;
};

enum class Effect { deny, allow };

std::string_view to_string(Effect effect) noexcept;

/// A requested field that the consumer will not receive, and why: `unknown_field`,
/// `clearance_insufficient` (above the consumer's clearance, whatever the rule says) or
/// `field_not_permitted` (not among the rule's fields).
struct RefusedField {
  std::string name;
  Reason reason;
  friend bool operator==(const RefusedField&, const RefusedField&) = default;
};

struct Decision {
  Effect effect = Effect::deny;  ///< deny by default
  /// Why the exchange is denied; empty exactly when it is allowed.
  std::optional<Reason> reason;
  /// The rule that decided: the one that allowed, or the one whose window or fields denied.
  /// Empty when no rule applies (unknown category or organisation, no rule, wrong purpose).
  std::string rule_id;
  /// Requested ∩ rule ∩ clearance, in the category's field order (data minimisation).
  std::vector<std::string> permitted_fields;
  std::vector<RefusedField> refused_fields;
  LegalBasis basis;  ///< consent to check, or the legal reference; `none` when denied
  ObligationSet obligations;
  std::optional<RateLimit> rate_limit;

  bool allowed() const noexcept { return effect == Effect::allow; }
};

}  // namespace pse::policy

// Reading config/policies.yaml into PolicyRules.
//
//   rules:
//     - id: ramq-birth-eligibility
//       description: RAMQ checks a newborn's registration to open health coverage
//       consumer: ramq
//       provider: etat-civil
//       category: identity.birth
//       purposes: [health_insurance_eligibility]
//       basis: law                       # or: consent
//       legal_reference: "Loi sur l'assurance maladie (RLRQ, c. A-29), art. 65"
//       fields: [surname, given_names, birth_date]
//       valid_from: 2024-01-01           # optional, UTC date or YYYY-MM-DDTHH:MM:SSZ
//       valid_until: 2028-12-31          # optional, through the end of that day
//       rate_limit: {requests: 600, per: minute}     # optional: second, minute, hour or day
//       obligations: [notify_subject]    # optional
//
// This reader checks each rule on its own (syntax, types, values). Whether a rule agrees with
// orgs.yaml and classification.yaml is checked when the snapshot is compiled.
#pragma once

#include "base/config_error.hpp"
#include "policy/policy_rule.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <vector>

namespace pse::policy {

/// Reads the rules of `file`; a bad rule is reported in `errors` and skipped.
std::vector<PolicyRule> read_policies(const std::filesystem::path& file,
                                      std::vector<ConfigError>& errors);

/// The same from an already parsed document; `file` names it in messages.
std::vector<PolicyRule> read_policies(const YAML::Node& root, const std::filesystem::path& file,
                                      std::vector<ConfigError>& errors);

/// True for rule ids: `[a-z0-9][a-z0-9._-]*`, at most 128 characters.
bool is_valid_rule_id(std::string_view id) noexcept;

}  // namespace pse::policy

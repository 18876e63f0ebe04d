// How pse-policy prints a decision: aligned text for a person, JSON for a script.
//
// The JSON uses the wire spellings of reason codes, bases and obligations, so a privacy
// officer's tooling can compare it with what the broker audits.
#pragma once

#include "policy/decision.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace pse::policy::cli {

/// `signed_records`: the category's integrity rating requires its provider's signature.
std::string decision_as_text(const DecisionRequest& request, const Decision& decision,
                             const std::vector<std::string>& explanation, bool signed_records);

boost::json::object decision_as_json(const DecisionRequest& request, const Decision& decision,
                                     const std::vector<std::string>& explanation, bool signed_records);

}  // namespace pse::policy::cli

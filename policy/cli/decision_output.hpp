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

std::string decision_as_text(const DecisionRequest& request, const Decision& decision,
                             const std::vector<std::string>& explanation);

boost::json::object decision_as_json(const DecisionRequest& request, const Decision& decision,
                                     const std::vector<std::string>& explanation);

}  // namespace pse::policy::cli

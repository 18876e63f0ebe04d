// Why a decision came out as it did, in sentences an operator or a privacy officer can act
// on: which rule matched, or why none did, and why each refused field was refused.
//
// Computed after the fact from the snapshot, so the decision hot path stays free of text.
#pragma once

#include "policy/decision.hpp"
#include "policy/snapshot.hpp"

#include <string>
#include <vector>

namespace pse::policy::cli {

std::vector<std::string> explain(const PolicySnapshot& snapshot, const DecisionRequest& request,
                                 const Decision& decision);

/// "600 per minute".
std::string describe_rate_limit(const RateLimit& limit);

/// "2024-01-01T00:00:00Z → 2028-12-31T23:59:59Z", or "always" for an unbounded window.
std::string describe_validity(const ValidityPeriod& validity);

}  // namespace pse::policy::cli

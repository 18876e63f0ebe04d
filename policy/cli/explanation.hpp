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

/// "from 2024-07-01T00:00:00Z until 2027-07-01T00:00:00Z (exclusive)", or "always".
std::string describe_validity(const ValidityPeriod& validity);

}  // namespace pse::policy::cli

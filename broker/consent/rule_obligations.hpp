// The obligations a consent's exchanges would be under, as the rules in force say at the time:
// the citizen's receipt names them, so that it says, for instance, that the recipient may not
// pass the information on. The rules can change later; the receipt keeps what they said when
// it was issued, and the audit log keeps what applied to each exchange.
#pragma once

#include "broker/consent/consent_record.hpp"
#include "policy/snapshot.hpp"

#include <string>
#include <vector>

namespace pse::consent {

/// Wire spellings, in the order of policy::ObligationSet::names(), of every obligation of the
/// consent-based rules in force at `at` that match the consent: its consumer, its provider (any
/// for "*"), one of its categories, its purpose.
std::vector<std::string> rule_obligations(const policy::PolicySnapshot& snapshot, const Consent& consent, Instant at);

}  // namespace pse::consent

#include "broker/consent/rule_obligations.hpp"

#include <algorithm>

namespace pse::consent {

std::vector<std::string> rule_obligations(const policy::PolicySnapshot& snapshot, const Consent& consent, Instant at) {
  policy::ObligationSet obligations;
  for (const policy::PolicyRule& rule : snapshot.rules()) {
    const bool matches =
        rule.basis.kind == policy::BasisKind::consent && rule.consumer == consent.consumer &&
        (consent.provider == "*" || rule.provider == consent.provider) && rule.validity.contains(at) &&
        std::ranges::find(consent.categories, rule.category) != consent.categories.end() &&
        std::ranges::find(rule.purposes, consent.purpose.code) != rule.purposes.end();
    if (!matches) continue;
    for (const policy::Obligation obligation : rule.obligations.list()) obligations.insert(obligation);
  }
  return obligations.names();
}

}  // namespace pse::consent

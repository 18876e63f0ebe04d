// What a citizen may consent to: each rule of the published policy whose basis is consent,
// valid now, once per purpose — who would receive which fields of which category from whom,
// and why. The portal shows each in plain words before the citizen gives it.
#pragma once

#include "citizen_words.hpp"

#include "policy/snapshot.hpp"

#include <string>
#include <vector>

namespace pse::portal {

struct ConsentOffer {
  std::string id;  ///< "<rule id>/<purpose>": what a grant form names
  std::string consumer, provider, category, purpose;
  std::vector<std::string> fields;
};

/// Every offer of `snapshot` at `now`, in the order of the rules.
std::vector<ConsentOffer> consent_offers(const policy::PolicySnapshot& snapshot, policy::Instant now);

/// An organisation's name in `language`, or its id when unknown.
std::string organisation_name(const policy::OrganisationRegistry& organisations, std::string_view id, Language language);

}  // namespace pse::portal

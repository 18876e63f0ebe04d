#include "consent_offers.hpp"

#include "portal_content.hpp"

namespace pse::portal {

std::vector<ConsentOffer> consent_offers(const policy::PolicySnapshot& snapshot, policy::Instant now) {
  std::vector<ConsentOffer> offers;
  for (const policy::PolicyRule& rule : snapshot.rules()) {
    if (rule.basis.kind != policy::BasisKind::consent || !rule.validity.contains(now)) continue;
    for (const std::string& purpose : rule.purposes) {
      offers.push_back({rule.id + "/" + purpose, rule.consumer, rule.provider, rule.category, purpose, rule.fields});
    }
  }
  return offers;
}

std::string PortalContent::organisation(std::string_view id, Language language) const {
  return policy ? organisation_name(policy->organisations(), id, language) : std::string(id);
}

std::string organisation_name(const policy::OrganisationRegistry& organisations, std::string_view id, Language language) {
  const policy::Organisation* organisation = organisations.find(id);
  if (organisation == nullptr) return std::string(id);
  const std::string& name = language == Language::en && !organisation->name_en.empty() ? organisation->name_en
                                                                                        : organisation->name_fr;
  return name.empty() ? std::string(id) : name;
}

}  // namespace pse::portal

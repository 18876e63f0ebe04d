// Reading config/classification.yaml into a Classification.
//
//   impact_levels: [négligeable, faible, moyen, élevé]   # labels of levels 0, 1, 2, 3
//   categories:
//     - id: identity.birth
//       owner: etat-civil                # an organisation of orgs.yaml
//       publishers: [ramq]               # optional: others who may publish events in it
//       description: Birth record
//       personal_information: true
//       impact: {availability: 1, integrity: 3, confidentiality: 2}   # D, I, C: 0–3 or a label
//       fields:
//         - {name: birth_date, confidentiality: 1}
//
// Problems are collected, not thrown: a bad category is reported and skipped, and reading goes
// on with the next one.
#pragma once

#include "base/config_error.hpp"
#include "policy/classification.hpp"
#include "policy/organisations.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <vector>

namespace pse::policy {

Classification read_classification(const std::filesystem::path& file,
                                   const OrganisationRegistry* organisations,
                                   std::vector<ConfigError>& errors);

/// The same from an already parsed document; `file` names it in messages. `organisations` may
/// be null when orgs.yaml could not be read: owners are then not checked.
Classification read_classification(const YAML::Node& root, const std::filesystem::path& file,
                                   const OrganisationRegistry* organisations,
                                   std::vector<ConfigError>& errors);

}  // namespace pse::policy

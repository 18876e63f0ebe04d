// The organisations registered on the platform (config/orgs.yaml).
//
// An organisation is known by its id, the <id> of the URI SAN spiffe://<trust-domain>/org/<id>
// in its certificate. The registry says who it is, which roles it holds and its clearance: the
// highest confidentiality level (0–3, as in the classification) it may ever receive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pse::policy {

enum class Role {
  consumer,           ///< asks for records (POST /v1/exchange)
  provider,           ///< serves records from its systems through a connector
  consent_authority,  ///< the citizen-facing body that records consents and mandates
  publisher,          ///< publishes events (POST /v1/publish)
  subscriber,         ///< receives published events
  /// The platform's operations team ("operator" in orgs.yaml): may use the broker's admin
  /// listener when it is served over mutual TLS. Grants nothing on the exchange API.
  platform_operator,
};

std::string_view to_string(Role role) noexcept;
std::optional<Role> role_from_string(std::string_view text) noexcept;

struct Organisation {
  std::string id;       ///< e.g. "ramq"
  std::string name_fr;  ///< e.g. "Régie de l'assurance maladie du Québec"
  std::string name_en;
  std::set<Role> roles;
  int clearance = 0;  ///< 0–3

  bool has_role(Role role) const { return roles.contains(role); }
};

/// True when `id` is a valid organisation id: ^[a-z0-9][a-z0-9-]{0,62}$ (same rule as pse-pki).
bool is_valid_org_id(std::string_view id) noexcept;

class OrganisationRegistry {
 public:
  OrganisationRegistry() = default;
  explicit OrganisationRegistry(std::vector<Organisation> organisations);

  /// nullptr when the id is not registered.
  const Organisation* find(std::string_view id) const;
  const std::map<std::string, Organisation, std::less<>>& all() const { return by_id_; }
  std::size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, Organisation, std::less<>> by_id_;
};

/// Loads orgs.yaml. Throws pse::ConfigError naming file, line and reason on any problem
/// (unknown key, bad id, duplicate id, unknown role, clearance out of 0–3).
OrganisationRegistry load_organisations(const std::filesystem::path& file);

}  // namespace pse::policy

#include "policy/organisations.hpp"

#include "base/yaml_reader.hpp"

#include <array>
#include <utility>

namespace pse::policy {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoleNames = {{
    {Role::consumer, "consumer"},
    {Role::provider, "provider"},
    {Role::consent_authority, "consent-authority"},
    {Role::publisher, "publisher"},
    {Role::subscriber, "subscriber"},
    {Role::platform_operator, "operator"},
}};

}  // namespace

std::string_view to_string(Role role) noexcept {
  for (const auto& [value, name] : kRoleNames) {
    if (value == role) return name;
  }
  return "unknown";
}

std::optional<Role> role_from_string(std::string_view text) noexcept {
  for (const auto& [value, name] : kRoleNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool is_valid_org_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 63) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id.front())) return false;
  for (char c : id) {
    if (!lower_or_digit(c) && c != '-') return false;
  }
  return true;
}

OrganisationRegistry::OrganisationRegistry(std::vector<Organisation> organisations) {
  for (auto& org : organisations) {
    std::string id = org.id;
    by_id_.emplace(std::move(id), std::move(org));
  }
}

const Organisation* OrganisationRegistry::find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

OrganisationRegistry load_organisations(const std::filesystem::path& file) {
  YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "orgs.yaml");
  YAML::Node list = top.required_node("organisations");
  top.finish();
  if (!list.IsSequence()) top.fail(list, "organisations must be a list");

  std::vector<Organisation> organisations;
  std::set<std::string, std::less<>> seen;
  for (const YAML::Node& item : list) {
    YamlMap entry(item, file, "organisation");
    Organisation org;
    org.id = entry.required_string("id");
    if (!is_valid_org_id(org.id)) {
      entry.fail(item["id"], "organisation id '" + org.id +
                                 "' is invalid: use lowercase letters, digits and '-', "
                                 "starting with a letter or digit, at most 63 characters");
    }
    if (!seen.insert(org.id).second) entry.fail(item["id"], "duplicate organisation id '" + org.id + "'");
    org.name_fr = entry.required_string("name");
    org.name_en = entry.string_or("name_en", org.name_fr);
    org.clearance = static_cast<int>(entry.required_integer("clearance", 0, 3));
    YAML::Node roles = item["roles"];
    for (const std::string& role_name : entry.string_list("roles")) {
      auto role = role_from_string(role_name);
      if (!role) {
        entry.fail(roles, "unknown role '" + role_name +
                              "' (known: consumer, provider, consent-authority, publisher, subscriber, operator)");
      }
      org.roles.insert(*role);
    }
    entry.finish();
    organisations.push_back(std::move(org));
  }
  if (organisations.empty()) top.fail(list, "organisations must not be empty");
  return OrganisationRegistry(std::move(organisations));
}

}  // namespace pse::policy

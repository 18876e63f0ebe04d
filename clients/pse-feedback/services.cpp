#include "services.hpp"

#include "base/yaml_reader.hpp"
#include "link_token.hpp"

#include <set>

namespace pse::feedback {

ServiceCatalog ServiceCatalog::load(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "services file");
  const YAML::Node list = top.required_node("services");
  top.finish();
  if (!list.IsSequence()) top.fail(list, "'services' must be a list");
  std::vector<Service> services;
  std::set<std::string> seen;
  for (const YAML::Node& node : list) {
    YamlMap entry(node, file, "service");
    Service service;
    service.id = entry.required_string("id");
    service.owner = entry.required_string("owner");
    service.name_fr = entry.required_string("name");
    service.name_en = entry.required_string("name_en");
    entry.finish();
    if (!valid_service_id(service.id)) entry.fail(node, "service id '" + service.id + "' must be 1-64 of a-z 0-9 -");
    if (!seen.insert(service.id).second) entry.fail(node, "service '" + service.id + "' is listed twice");
    services.push_back(std::move(service));
  }
  return ServiceCatalog(std::move(services));
}

const Service* ServiceCatalog::find(std::string_view id) const noexcept {
  for (const Service& service : services_) {
    if (service.id == id) return &service;
  }
  return nullptr;
}

}  // namespace pse::feedback

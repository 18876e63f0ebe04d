#include "policy/yaml_document.hpp"

#include "base/yaml_reader.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace pse::policy {

std::optional<YAML::Node> read_yaml_document(const std::filesystem::path& file,
                                             std::vector<ConfigError>& errors) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    errors.emplace_back(file, 0, "cannot open file");
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_yaml_document(text.str(), file, errors);
}

std::optional<YAML::Node> parse_yaml_document(std::string_view text,
                                              const std::filesystem::path& file,
                                              std::vector<ConfigError>& errors) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.emplace_back(file, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  if (!root || root.IsNull()) {
    errors.emplace_back(file, 0, "file is empty");
    return std::nullopt;
  }
  if (!root.IsMap()) {
    errors.emplace_back(file, line_of(root), "top level must be a mapping");
    return std::nullopt;
  }
  return root;
}

void reject_unknown_keys(const YAML::Node& mapping, const std::filesystem::path& file, const std::string& what,
                         std::initializer_list<std::string_view> known) {
  if (!mapping.IsMap()) return;  // the typed reader reports the shape
  for (const auto& entry : mapping) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    bool found = false;
    for (std::string_view name : known) found = found || name == key;
    if (found) continue;
    std::string list;
    for (std::string_view name : known) list += (list.empty() ? "" : ", ") + std::string(name);
    throw ConfigError(file, line_of(entry.first), "unknown key '" + key + "' in " + what + " (known: " + list + ")");
  }
}

}  // namespace pse::policy

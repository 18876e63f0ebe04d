#include "policy/classification_reader.hpp"

#include "base/yaml_reader.hpp"
#include "policy/yaml_document.hpp"

#include <charconv>
#include <set>
#include <utility>

namespace pse::policy {
namespace {

using Labels = std::array<std::string, kHighestLevel + 1>;

const Labels kDefaultLabels = {"0", "1", "2", "3"};

// A level is written as its number or as its configured label, whichever reads better.
int read_level(YamlMap& map, const std::string& key, const Labels& labels, const std::string& what) {
  std::optional<YAML::Node> node = map.optional_node(key);
  if (!node) map.fail_key(key, "is required");
  if (!node->IsScalar()) map.fail(*node, what + "." + key + " must be a level 0–3 or its label");
  const std::string& text = node->Scalar();
  int number = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc() && end == text.data() + text.size() && number >= 0 &&
      number <= kHighestLevel) {
    return number;
  }
  for (int level = 0; level <= kHighestLevel; ++level) {
    if (labels[static_cast<std::size_t>(level)] == text) return level;
  }
  map.fail(*node, what + "." + key + " must be a level 0–3 or one of its labels (" + labels[0] +
                      ", " + labels[1] + ", " + labels[2] + ", " + labels[3] + "), got '" + text + "'");
}

Labels read_labels(YamlMap& top, const YAML::Node& root) {
  if (!top.has("impact_levels")) return kDefaultLabels;
  const std::vector<std::string> labels = top.string_list("impact_levels");
  if (labels.size() != kHighestLevel + 1) {
    top.fail(root["impact_levels"], "impact_levels must list exactly 4 labels, for levels 0 to 3");
  }
  Labels result;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!seen.insert(labels[i]).second) {
      top.fail(root["impact_levels"], "impact_levels: label '" + labels[i] + "' is repeated");
    }
    result[i] = labels[i];
  }
  return result;
}

// One field of the file: a plain field, or a list field (`items:`, a repeating group of the
// legacy record) read as one definition per sub-field, named "list.sub".
std::vector<FieldDefinition> read_field(const YAML::Node& node, const std::filesystem::path& file,
                                        const Labels& labels, const std::string& category_id) {
  YamlMap map(node, file, "field of category '" + category_id + "'");
  const std::string name = map.required_string("name");
  if (!is_valid_identifier(name)) {
    map.fail(node["name"], "field name '" + name + "' in category '" + category_id +
                               "' is invalid: use snake_case ([a-z][a-z0-9_]*, at most 64 characters)");
  }
  const std::string description = map.string_or("description", "");
  std::vector<FieldDefinition> fields;
  if (!map.has("items")) {
    FieldDefinition field;
    field.name = name;
    field.confidentiality = read_level(map, "confidentiality", labels, "field '" + name + "'");
    field.description = description;
    fields.push_back(std::move(field));
    map.finish();
    return fields;
  }
  if (map.has("confidentiality")) {
    map.fail(node["confidentiality"], "list field '" + name + "': each of its items' fields has its own confidentiality");
  }
  const YAML::Node items = map.required_node("items");
  if (!items.IsSequence() || items.size() == 0) map.fail(items, "list field '" + name + "': items must be a non-empty list");
  for (const YAML::Node& item : items) {
    if (item.IsMap() && item["items"]) map.fail(item, "list field '" + name + "': a list cannot hold another list");
    for (FieldDefinition& sub : read_field(item, file, labels, category_id)) {
      sub.name = name + "." + sub.name;
      sub.list = name;
      if (sub.description.empty()) sub.description = description;
      fields.push_back(std::move(sub));
    }
  }
  map.finish();
  return fields;
}

Category read_category(const YAML::Node& node, const std::filesystem::path& file,
                       const Labels& labels, const OrganisationRegistry* organisations) {
  YamlMap map(node, file, "category");
  reject_unknown_keys(node, file, "category",
                      {"id", "owner", "publishers", "description", "personal_information", "impact",
                       "provider_timeout_ms", "fields"});
  Category category;
  category.line = line_of(node);
  category.id = map.required_string("id");
  if (!is_valid_category_id(category.id)) {
    map.fail(node["id"], "category id '" + category.id +
                             "' is invalid: use dotted snake_case, e.g. identity.birth");
  }
  const std::string what = "category '" + category.id + "'";
  category.owner = map.required_string("owner");
  if (organisations != nullptr && organisations->find(category.owner) == nullptr) {
    map.fail(node["owner"], what + ": owner '" + category.owner + "' is not an organisation of orgs.yaml");
  }
  for (std::string& publisher : map.string_list("publishers")) {
    if (organisations != nullptr && organisations->find(publisher) == nullptr) {
      map.fail(node["publishers"], what + ": publisher '" + publisher + "' is not an organisation of orgs.yaml");
    }
    category.publishers.push_back(std::move(publisher));
  }
  category.description = map.required_string("description");
  category.personal_information = map.boolean_or("personal_information", false);

  YamlMap impact(map.required_node("impact"), file, what + " impact");
  category.impact.availability = read_level(impact, "availability", labels, what + " impact");
  category.impact.integrity = read_level(impact, "integrity", labels, what + " impact");
  category.impact.confidentiality = read_level(impact, "confidentiality", labels, what + " impact");
  impact.finish();
  category.provider_timeout_ms = static_cast<std::uint32_t>(map.integer_or("provider_timeout_ms", 0, 100, 120'000));

  const YAML::Node fields = map.required_node("fields");
  if (!fields.IsSequence() || fields.size() == 0) map.fail(fields, what + ": fields must be a non-empty list");
  std::set<std::string> names;
  for (const YAML::Node& item : fields) {
    for (FieldDefinition& field : read_field(item, file, labels, category.id)) {
      // A plain field may not share a list's name ("list." marks the lists read so far).
      const bool clash = field.list.empty() ? names.contains(field.name + ".") : names.contains(field.list);
      if (!names.insert(field.name).second || clash) {
        map.fail(item, what + ": field '" + field.name + "' is defined twice");
      }
      if (!field.list.empty()) names.insert(field.list + ".");
      // The category's C rating is that of its most sensitive content; a field above it means
      // one of the two ratings is wrong, and the policy checks would trust the wrong one.
      if (field.confidentiality > category.impact.confidentiality) {
        map.fail(item, what + ": field '" + field.name + "' has confidentiality " +
                           std::to_string(field.confidentiality) + ", above the category's rating " +
                           std::to_string(category.impact.confidentiality));
      }
      category.fields.push_back(std::move(field));
    }
  }
  if (category.fields.size() > kMaxFieldsPerCategory) {
    map.fail(fields, what + " has " + std::to_string(category.fields.size()) + " fields (a list's sub-fields count), more than the " +
                         std::to_string(kMaxFieldsPerCategory) + " allowed: split the category");
  }
  map.finish();
  return category;
}

}  // namespace

Classification read_classification(const std::filesystem::path& file,
                                   const OrganisationRegistry* organisations,
                                   std::vector<ConfigError>& errors) {
  std::optional<YAML::Node> root = read_yaml_document(file, errors);
  if (!root) return {};
  return read_classification(*root, file, organisations, errors);
}

Classification read_classification(const YAML::Node& root, const std::filesystem::path& file,
                                   const OrganisationRegistry* organisations,
                                   std::vector<ConfigError>& errors) {
  Labels labels = kDefaultLabels;
  YAML::Node list;
  std::optional<int> signed_from;
  try {
    YamlMap top(root, file, "classification.yaml");
    labels = read_labels(top, root);
    if (top.has("signed_integrity_from")) {
      signed_from = read_level(top, "signed_integrity_from", labels, "classification.yaml");
    }
    list = top.required_node("categories");
    top.finish();
    if (!list.IsSequence()) top.fail(list, "categories must be a list");
    if (list.size() == 0) top.fail(list, "categories must not be empty");
  } catch (const ConfigError& error) {
    errors.push_back(error);
    return {};
  } catch (const YAML::Exception& error) {
    errors.emplace_back(file, line_of(root), "unexpected YAML structure: " + error.msg);
    return {};
  }

  std::vector<Category> categories;
  std::set<std::string, std::less<>> seen;
  for (const YAML::Node& item : list) {
    try {
      Category category = read_category(item, file, labels, organisations);
      if (!seen.insert(category.id).second) {
        throw ConfigError(file, category.line, "category '" + category.id + "' is defined twice");
      }
      categories.push_back(std::move(category));
    } catch (const ConfigError& error) {
      errors.push_back(error);
    } catch (const YAML::Exception& error) {
      // yaml-cpp throws for shapes the typed reader does not expect (e.g. a key that is itself
      // a mapping); it is still the file's fault, so it is reported like any other problem.
      errors.emplace_back(file, line_of(item), "unexpected YAML structure: " + error.msg);
    }
  }
  Classification classification(std::move(labels), std::move(categories));
  if (signed_from) classification.require_signatures_from(*signed_from);
  return classification;
}

}  // namespace pse::policy

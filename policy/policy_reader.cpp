#include "policy/policy_reader.hpp"

#include "base/yaml_reader.hpp"
#include "policy/classification.hpp"
#include "policy/yaml_document.hpp"

#include <set>
#include <utility>

namespace pse::policy {
namespace {

std::optional<std::chrono::seconds> period_from_string(std::string_view text) {
  using namespace std::chrono_literals;
  if (text == "second") return 1s;
  if (text == "minute") return 60s;
  if (text == "hour") return 3600s;
  if (text == "day") return 86400s;
  return std::nullopt;
}

std::optional<Instant> read_instant(YamlMap& map, const YAML::Node& node, const std::string& key,
                                    bool end_of_day) {
  std::optional<std::string> text = map.optional_string(key);
  if (!text) return std::nullopt;
  std::optional<ParsedInstant> parsed = parse_instant(*text);
  if (!parsed) {
    map.fail(node[key], key + " must be a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" +
                            *text + "'");
  }
  if (end_of_day && parsed->date_only) return parsed->instant + std::chrono::days{1};
  return parsed->instant;
}

void read_basis(YamlMap& map, const YAML::Node& node, PolicyRule& rule) {
  const std::string basis = map.required_string("basis");
  std::optional<std::string> reference = map.optional_string("legal_reference");
  if (basis == "consent") {
    if (reference) {
      map.fail(node["legal_reference"], "rule '" + rule.id +
                   "': legal_reference is only for basis 'law'; a consent rule needs none");
    }
    rule.basis = {BasisKind::consent, ""};
  } else if (basis == "law") {
    if (!reference) {
      map.fail(node["basis"], "rule '" + rule.id +
                   "': basis 'law' needs a legal_reference naming the provision, e.g. an article of an act");
    }
    rule.basis = {BasisKind::law, *reference};
  } else {
    map.fail(node["basis"], "rule '" + rule.id + "': basis must be 'consent' or 'law', got '" + basis + "'");
  }
}

void read_rate_limit(YamlMap& map, PolicyRule& rule, const std::filesystem::path& file) {
  std::optional<YAML::Node> node = map.optional_node("rate_limit");
  if (!node) return;
  YamlMap limit(*node, file, "rule '" + rule.id + "' rate_limit");
  RateLimit result;
  result.requests = static_cast<std::uint32_t>(limit.required_integer("requests", 1, 1'000'000'000));
  const std::string per = limit.required_string("per");
  std::optional<std::chrono::seconds> period = period_from_string(per);
  if (!period) limit.fail((*node)["per"], "rate_limit.per must be second, minute, hour or day, got '" + per + "'");
  result.period = *period;
  limit.finish();
  rule.rate_limit = result;
}

std::vector<std::string> read_identifier_list(YamlMap& map, const YAML::Node& node, const std::string& key,
                                              const std::string& what, bool (*valid)(std::string_view) noexcept = is_valid_identifier) {
  if (!map.has(key)) map.fail_key(key, "is required");
  std::vector<std::string> items = map.string_list(key);
  if (items.empty()) map.fail(node[key], what + ": " + key + " must not be empty");
  std::set<std::string> seen;
  std::size_t index = 0;
  for (const std::string& item : items) {
    const YAML::Node at = node[key][index++];
    if (!valid(item)) {
      map.fail(at, what + ": " + key + " entry '" + item + "' is invalid: use snake_case");
    }
    if (!seen.insert(item).second) map.fail(at, what + ": " + key + " lists '" + item + "' twice");
  }
  return items;
}

PolicyRule read_rule(const YAML::Node& node, const std::filesystem::path& file) {
  YamlMap map(node, file, "rule");
  reject_unknown_keys(node, file, "rule",
                      {"id", "description", "consumer", "provider", "category", "purposes", "basis", "legal_reference",
                       "fields", "valid_from", "valid_until", "rate_limit", "obligations"});
  PolicyRule rule;
  rule.file = file.string();
  rule.line = line_of(node);
  rule.id = map.required_string("id");
  if (!is_valid_rule_id(rule.id)) {
    map.fail(node["id"], "rule id '" + rule.id +
                             "' is invalid: use lowercase letters, digits, '.', '_' and '-'");
  }
  const std::string what = "rule '" + rule.id + "'";
  rule.description = map.string_or("description", "");
  rule.consumer = map.required_string("consumer");
  rule.provider = map.required_string("provider");
  rule.category = map.required_string("category");
  rule.purposes = read_identifier_list(map, node, "purposes", what);
  read_basis(map, node, rule);
  rule.fields = read_identifier_list(map, node, "fields", what, is_valid_field_name);
  for (const YAML::Node& item : node["fields"]) rule.field_lines.push_back(line_of(item));

  if (auto from = read_instant(map, node, "valid_from", false)) rule.validity.from = *from;
  if (auto until = read_instant(map, node, "valid_until", true)) rule.validity.until = *until;
  if (rule.validity.from >= rule.validity.until) {
    map.fail(node["valid_until"], what + ": valid_until must be after valid_from");
  }
  read_rate_limit(map, rule, file);

  const YAML::Node obligations = node["obligations"];
  std::size_t index = 0;
  for (const std::string& name : map.string_list("obligations")) {
    std::optional<Obligation> obligation = obligation_from_string(name);
    if (!obligation) {
      map.fail(obligations[index], what + ": unknown obligation '" + name +
                                       "' (known: notify_subject, end_to_end_encryption, no_onward_disclosure)");
    }
    rule.obligations.insert(*obligation);
    ++index;
  }
  map.finish();
  return rule;
}

}  // namespace

bool is_valid_rule_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id.front())) return false;
  for (char c : id) {
    if (!lower_or_digit(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::vector<PolicyRule> read_policies(const std::filesystem::path& file,
                                      std::vector<ConfigError>& errors) {
  std::optional<YAML::Node> root = read_yaml_document(file, errors);
  if (!root) return {};
  return read_policies(*root, file, errors);
}

std::vector<PolicyRule> read_policies(const YAML::Node& root, const std::filesystem::path& file,
                                      std::vector<ConfigError>& errors) {
  YAML::Node list;
  try {
    YamlMap top(root, file, "policies.yaml");
    list = top.required_node("rules");
    top.finish();
    if (!list.IsSequence()) top.fail(list, "rules must be a list");
  } catch (const ConfigError& error) {
    errors.push_back(error);
    return {};
  } catch (const YAML::Exception& error) {
    errors.emplace_back(file, line_of(root), "unexpected YAML structure: " + error.msg);
    return {};
  }
  std::vector<PolicyRule> rules;
  std::set<std::string, std::less<>> seen;
  for (const YAML::Node& item : list) {
    try {
      PolicyRule rule = read_rule(item, file);
      if (!seen.insert(rule.id).second) {
        throw ConfigError(file, rule.line, "rule id '" + rule.id + "' is used twice");
      }
      rules.push_back(std::move(rule));
    } catch (const ConfigError& error) {
      errors.push_back(error);
    } catch (const YAML::Exception& error) {
      // yaml-cpp throws for shapes the typed reader does not expect (e.g. a key that is itself
      // a mapping); it is still the file's fault, so it is reported like any other problem.
      errors.emplace_back(file, line_of(item), "unexpected YAML structure: " + error.msg);
    }
  }
  return rules;
}

}  // namespace pse::policy

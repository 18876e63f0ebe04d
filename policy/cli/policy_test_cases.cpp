#include "policy/cli/policy_test_cases.hpp"

#include "base/yaml_reader.hpp"

#include <pse/reason.hpp>

#include <algorithm>

namespace pse::policy::cli {
namespace {

Instant read_at(YamlMap& map, const YAML::Node& node) {
  const std::string text = map.required_string("at");
  std::optional<ParsedInstant> parsed = parse_instant(text);
  if (!parsed) map.fail(node["at"], "at must be a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + text + "'");
  return parsed->instant;
}

ExpectedDecision read_expected(const YAML::Node& node, const std::filesystem::path& file) {
  YamlMap map(node, file, "expect");
  ExpectedDecision expect;
  const std::string decision = map.required_string("decision");
  if (decision != "allow" && decision != "deny") map.fail(node["decision"], "expect.decision must be allow or deny");
  expect.effect = decision == "allow" ? Effect::allow : Effect::deny;
  expect.reason = map.optional_string("reason");
  if (expect.reason && !reason_from_string(*expect.reason)) {
    map.fail(node["reason"], "expect.reason '" + *expect.reason + "' is not a reason code");
  }
  expect.rule = map.optional_string("rule");
  if (map.has("fields")) expect.fields = map.string_list("fields");
  if (std::optional<YAML::Node> refused = map.optional_node("refused")) {
    YamlMap refused_map(*refused, file, "expect.refused");
    expect.refused.emplace();
    for (const auto& entry : *refused) {
      const std::string field = entry.first.Scalar();
      const std::string reason = refused_map.required_string(field);
      if (!reason_from_string(reason)) refused_map.fail(entry.second, "'" + reason + "' is not a reason code");
      (*expect.refused)[field] = reason;
    }
    refused_map.finish();
  }
  expect.basis = map.optional_string("basis");
  if (expect.basis && *expect.basis != "consent" && *expect.basis != "law" && *expect.basis != "none") {
    map.fail(node["basis"], "expect.basis must be consent, law or none");
  }
  expect.legal_reference = map.optional_string("legal_reference");
  if (map.has("obligations")) {
    expect.obligations = map.string_list("obligations");
    for (const std::string& name : *expect.obligations) {
      if (!obligation_from_string(name)) map.fail(node["obligations"], "unknown obligation '" + name + "'");
    }
  }
  map.finish();
  return expect;
}

PolicyTestCase read_case(const YAML::Node& node, const std::filesystem::path& file,
                         const std::optional<Instant>& default_at) {
  YamlMap map(node, file, "case");
  PolicyTestCase test;
  test.line = line_of(node);
  test.name = map.required_string("name");
  const YAML::Node request_node = map.required_node("request");
  YamlMap request(request_node, file, "case '" + test.name + "' request");
  test.consumer = request.required_string("consumer");
  test.provider = request.required_string("provider");
  test.category = request.required_string("category");
  test.purpose = request.required_string("purpose");
  test.fields = request.string_list("fields");
  if (request.has("at")) {
    test.at = read_at(request, request_node);
  } else if (default_at) {
    test.at = *default_at;
  } else {
    map.fail(node, "case '" + test.name + "' has no time: set `at` in its request or at the top of the file");
  }
  request.finish();
  test.expect = read_expected(map.required_node("expect"), file);
  map.finish();
  return test;
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

std::string list(const std::vector<std::string>& items) {
  std::string text = "[";
  for (const auto& item : items) text += (text.size() > 1 ? ", " : "") + item;
  return text + "]";
}

std::string list(const std::map<std::string, std::string>& items) {
  std::string text = "{";
  for (const auto& [field, reason] : items) text += (text.size() > 1 ? ", " : "") + field + ": " + reason;
  return text + "}";
}

void compare(std::vector<std::string>& diff, const std::string& key, const std::string& expected,
             const std::string& actual) {
  if (expected == actual) return;
  diff.push_back("- " + key + ": " + expected);
  diff.push_back("+ " + key + ": " + actual);
}

}  // namespace

DecisionRequest PolicyTestCase::request() const {
  return DecisionRequest{consumer, provider, category, purpose, fields, at};
}

std::vector<PolicyTestCase> read_policy_test_cases(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "test file");
  std::optional<Instant> default_at;
  if (top.has("at")) default_at = read_at(top, root);
  const YAML::Node list_node = top.required_node("cases");
  top.finish();
  if (!list_node.IsSequence() || list_node.size() == 0) top.fail(list_node, "cases must be a non-empty list");
  std::vector<PolicyTestCase> cases;
  for (const YAML::Node& item : list_node) cases.push_back(read_case(item, file, default_at));
  return cases;
}

std::vector<std::string> run_policy_test_case(const PolicySnapshot& snapshot, const PolicyTestCase& test) {
  const Decision decision = snapshot.decide(test.request());
  const ExpectedDecision& expect = test.expect;
  std::vector<std::string> diff;
  compare(diff, "decision", std::string(to_string(expect.effect)), std::string(to_string(decision.effect)));
  const std::string reason = decision.reason ? std::string(to_string(*decision.reason)) : "none";
  if (expect.reason) compare(diff, "reason", *expect.reason, reason);
  if (expect.rule) compare(diff, "rule", *expect.rule, decision.rule_id.empty() ? "none" : decision.rule_id);
  if (expect.fields) compare(diff, "fields", list(sorted(*expect.fields)), list(sorted(decision.permitted_fields)));
  if (expect.refused) {
    std::map<std::string, std::string> actual;
    for (const RefusedField& field : decision.refused_fields) actual[field.name] = std::string(to_string(field.reason));
    compare(diff, "refused", list(*expect.refused), list(actual));
  }
  if (expect.basis) compare(diff, "basis", *expect.basis, std::string(to_string(decision.basis.kind)));
  if (expect.legal_reference) compare(diff, "legal_reference", *expect.legal_reference, decision.basis.legal_reference);
  if (expect.obligations) {
    std::vector<std::string> actual;
    for (Obligation obligation : decision.obligations.list()) actual.emplace_back(to_string(obligation));
    compare(diff, "obligations", list(sorted(*expect.obligations)), list(sorted(actual)));
  }
  return diff;
}

}  // namespace pse::policy::cli

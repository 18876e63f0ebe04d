#include "policy/policy_config.hpp"

#include "policy/classification_reader.hpp"
#include "policy/policy_reader.hpp"
#include "policy/yaml_document.hpp"

#include <optional>
#include <utility>

namespace pse::policy {
namespace {

std::optional<OrganisationRegistry> read_organisations(const std::filesystem::path& file,
                                                       std::vector<ConfigError>& errors) {
  try {
    return load_organisations(file);
  } catch (const ConfigError& error) {
    errors.push_back(error);
  } catch (const YAML::Exception& error) {
    errors.emplace_back(file, error.mark.is_null() ? 0 : error.mark.line + 1,
                        "unexpected YAML structure: " + error.msg);
  }
  return std::nullopt;
}

CompileOutcome finish(std::optional<OrganisationRegistry> organisations, Classification classification,
                      std::vector<PolicyRule> rules, std::vector<ConfigError> errors) {
  if (!errors.empty() || !organisations) return CompileOutcome{nullptr, std::move(errors)};
  return compile_snapshot(std::move(classification), std::move(*organisations), std::move(rules));
}

}  // namespace

PolicyConfigPaths PolicyConfigPaths::in_directory(const std::filesystem::path& directory) {
  return {directory / "orgs.yaml", directory / "classification.yaml", directory / "policies.yaml"};
}

CompileOutcome load_policy_config(const PolicyConfigPaths& paths) {
  std::vector<ConfigError> errors;
  std::optional<OrganisationRegistry> organisations = read_organisations(paths.organisations, errors);
  // Without a registry the classification is still read, so that its own problems are
  // reported in the same run; only its owners go unchecked.
  Classification classification =
      read_classification(paths.classification, organisations ? &*organisations : nullptr, errors);
  std::vector<PolicyRule> rules = read_policies(paths.policies, errors);
  return finish(std::move(organisations), std::move(classification), std::move(rules), std::move(errors));
}

CompileOutcome compile_policies_text(Classification classification, OrganisationRegistry organisations,
                                     std::string_view policies_text,
                                     const std::filesystem::path& policies_name) {
  std::vector<ConfigError> errors;
  std::vector<PolicyRule> rules;
  if (std::optional<YAML::Node> root = parse_yaml_document(policies_text, policies_name, errors)) {
    rules = read_policies(*root, policies_name, errors);
  }
  return finish(std::move(organisations), std::move(classification), std::move(rules), std::move(errors));
}

}  // namespace pse::policy

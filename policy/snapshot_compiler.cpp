// compile_snapshot(): cross-file checks and index building. Runs at load and reload only.
#include "policy/snapshot.hpp"

#include <algorithm>
#include <utility>

namespace pse::policy {

struct SnapshotCompiler {
  static CompileOutcome compile(Classification classification, OrganisationRegistry organisations,
                                std::vector<PolicyRule> rules);

 private:
  static void index_categories(PolicySnapshot& snapshot);
  static void index_organisations(PolicySnapshot& snapshot);
  static bool check_rule(const PolicySnapshot& snapshot, const PolicyRule& rule,
                         std::vector<ConfigError>& errors);
  static void index_rules(PolicySnapshot& snapshot, std::vector<ConfigError>& errors);
};

namespace {

ConfigError rule_error(const PolicyRule& rule, int line, const std::string& reason) {
  return ConfigError(rule.file, line, "rule '" + rule.id + "': " + reason);
}

// A rule may name a list field for all its sub-fields: "dependants" grants each
// "dependants.<sub>", at the line that named it.
void expand_lists(const Classification& classification, PolicyRule& rule) {
  const Category* category = classification.find(rule.category);
  if (category == nullptr) return;
  std::vector<std::string> fields;
  std::vector<int> lines;
  for (std::size_t i = 0; i < rule.fields.size(); ++i) {
    const int line = i < rule.field_lines.size() ? rule.field_lines[i] : rule.line;
    std::vector<std::string> names;
    for (const FieldDefinition* sub : category->sub_fields(rule.fields[i])) names.push_back(sub->name);
    if (names.empty()) names.push_back(rule.fields[i]);
    for (std::string& name : names) {
      if (std::find(fields.begin(), fields.end(), name) != fields.end()) continue;
      fields.push_back(std::move(name));
      lines.push_back(line);
    }
  }
  rule.fields = std::move(fields);
  rule.field_lines = std::move(lines);
}

}  // namespace

void SnapshotCompiler::index_categories(PolicySnapshot& snapshot) {
  std::uint32_t next_id = 0;
  for (const auto& [name, category] : snapshot.classification_.all()) {
    index::CompiledCategory compiled;
    compiled.id = next_id++;
    compiled.category = &category;
    for (std::size_t position = 0; position < category.fields.size(); ++position) {
      const FieldDefinition& field = category.fields[position];
      compiled.field_positions.emplace(field.name, static_cast<std::uint8_t>(position));
      if (!field.list.empty()) compiled.list_fields[field.list] |= index::FieldMask{1} << position;
      for (int level = field.confidentiality; level <= kHighestLevel; ++level) {
        compiled.within_clearance[static_cast<std::size_t>(level)] |= index::FieldMask{1} << position;
      }
    }
    snapshot.index_.categories.emplace(name, std::move(compiled));
  }
}

void SnapshotCompiler::index_organisations(PolicySnapshot& snapshot) {
  std::uint32_t next_id = 0;
  for (const auto& [name, organisation] : snapshot.organisations_.all()) {
    snapshot.index_.organisations.emplace(name, index::CompiledOrganisation{next_id++, organisation.clearance});
  }
}

bool SnapshotCompiler::check_rule(const PolicySnapshot& snapshot, const PolicyRule& rule,
                                  std::vector<ConfigError>& errors) {
  const std::size_t errors_before = errors.size();
  const Organisation* consumer = snapshot.organisations_.find(rule.consumer);
  if (consumer == nullptr) {
    errors.push_back(rule_error(rule, rule.line, "consumer '" + rule.consumer + "' is not an organisation of orgs.yaml"));
  } else if (!consumer->has_role(Role::consumer) && !consumer->has_role(Role::subscriber)) {
    // A rule governs the flow itself: asked for (exchange) or pushed (publish/subscribe).
    errors.push_back(rule_error(rule, rule.line, "'" + rule.consumer + "' holds neither the consumer nor the subscriber role in orgs.yaml"));
  }
  const Organisation* provider = snapshot.organisations_.find(rule.provider);
  if (provider == nullptr) {
    errors.push_back(rule_error(rule, rule.line, "provider '" + rule.provider + "' is not an organisation of orgs.yaml"));
  } else if (!provider->has_role(Role::provider) && !provider->has_role(Role::publisher)) {
    errors.push_back(rule_error(rule, rule.line, "'" + rule.provider + "' holds neither the provider nor the publisher role in orgs.yaml"));
  }
  const Category* category = snapshot.classification_.find(rule.category);
  if (category == nullptr) {
    errors.push_back(rule_error(rule, rule.line, "category '" + rule.category + "' is not in classification.yaml"));
    return false;
  }
  for (std::size_t i = 0; i < rule.fields.size(); ++i) {
    const int line = i < rule.field_lines.size() ? rule.field_lines[i] : rule.line;
    const FieldDefinition* field = category->find_field(rule.fields[i]);
    if (field == nullptr) {
      errors.push_back(rule_error(rule, line, "field '" + rule.fields[i] + "' is not a field of category '" +
                                                  rule.category + "'"));
    } else if (consumer != nullptr && field->confidentiality > consumer->clearance) {
      // The classification wins over any rule: refusing to load is better than a rule that
      // reads as granting what every decision would then deny.
      errors.push_back(rule_error(
          rule, line,
          "grants field '" + field->name + "' of confidentiality " + std::to_string(field->confidentiality) +
              " (" + snapshot.classification_.label(field->confidentiality) + ") to '" + rule.consumer +
              "', whose clearance is " + std::to_string(consumer->clearance) +
              "; the classification wins: remove the field from the rule"));
    }
  }
  return errors.size() == errors_before;
}

void SnapshotCompiler::index_rules(PolicySnapshot& snapshot, std::vector<ConfigError>& errors) {
  index::SnapshotIndex& index = snapshot.index_;
  index.rule_fields.reserve(snapshot.rules_.size());
  for (std::size_t position = 0; position < snapshot.rules_.size(); ++position) {
    const PolicyRule& rule = snapshot.rules_[position];
    const index::CompiledCategory& category = index.categories.find(rule.category)->second;
    index::FieldMask mask = 0;
    for (const std::string& field : rule.fields) {
      mask |= index::FieldMask{1} << category.field_positions.find(field)->second;
    }
    index.rule_fields.push_back(mask);

    const std::uint64_t key = index::group_key(index.organisations.find(rule.consumer)->second.id,
                                               index.organisations.find(rule.provider)->second.id,
                                               category.id);
    index::RuleGroup& group = index.groups[key];
    for (const std::string& purpose : rule.purposes) {
      auto [it, inserted] = index.purposes.emplace(purpose, static_cast<std::uint32_t>(index.purposes.size()));
      group.entries.push_back(index::GroupEntry{it->second, rule.validity.from, rule.validity.until,
                                                static_cast<std::uint32_t>(position)});
    }
  }

  for (auto& [key, group] : index.groups) {
    std::sort(group.entries.begin(), group.entries.end(), [](const auto& a, const auto& b) {
      return a.purpose != b.purpose ? a.purpose < b.purpose : a.from < b.from;
    });
    // Two rules that could both apply to one request would make the deciding rule depend on
    // file order; refuse them so that every decision has exactly one rule to name.
    for (std::size_t i = 1; i < group.entries.size(); ++i) {
      const index::GroupEntry& before = group.entries[i - 1];
      const index::GroupEntry& entry = group.entries[i];
      if (before.purpose == entry.purpose && entry.from < before.until) {
        const PolicyRule& first = snapshot.rules_[before.rule];
        const PolicyRule& second = snapshot.rules_[entry.rule];
        std::string purpose;
        for (const auto& [name, id] : index.purposes) {
          if (id == entry.purpose) purpose = name;
        }
        errors.push_back(rule_error(second, second.line,
            "overlaps rule '" + first.id + "' (" + first.file + ":" + std::to_string(first.line) +
                "): same consumer, provider, category and purpose '" + purpose +
                "' with overlapping validity periods; at most one rule may apply at a time"));
      }
    }
  }
}

CompileOutcome SnapshotCompiler::compile(Classification classification, OrganisationRegistry organisations,
                                         std::vector<PolicyRule> rules) {
  CompileOutcome outcome;
  // Built in place: the category index points into classification_, which must not move again.
  std::shared_ptr<PolicySnapshot> snapshot(new PolicySnapshot());
  snapshot->classification_ = std::move(classification);
  snapshot->organisations_ = std::move(organisations);
  if (snapshot->classification_.size() >= index::kMaxIds || snapshot->organisations_.size() >= index::kMaxIds) {
    outcome.errors.emplace_back("classification.yaml", 0, "too many categories or organisations to index");
    return outcome;
  }
  index_categories(*snapshot);
  index_organisations(*snapshot);

  snapshot->rules_.reserve(rules.size());
  for (PolicyRule& rule : rules) {
    expand_lists(snapshot->classification_, rule);
    if (check_rule(*snapshot, rule, outcome.errors)) snapshot->rules_.push_back(std::move(rule));
  }
  index_rules(*snapshot, outcome.errors);
  if (outcome.errors.empty()) outcome.snapshot = std::move(snapshot);
  return outcome;
}

CompileOutcome compile_snapshot(Classification classification, OrganisationRegistry organisations,
                                std::vector<PolicyRule> rules) {
  return SnapshotCompiler::compile(std::move(classification), std::move(organisations), std::move(rules));
}

}  // namespace pse::policy

#include "policy/cli/explanation.hpp"

#include <algorithm>

namespace pse::policy::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

const PolicyRule* find_rule(const PolicySnapshot& snapshot, const std::string& id) {
  for (const PolicyRule& rule : snapshot.rules()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

std::string where(const PolicyRule& rule) { return rule.file + ":" + std::to_string(rule.line); }

void explain_rule_denial(const PolicySnapshot& snapshot, const DecisionRequest& request,
                         const Decision& decision, std::vector<std::string>& lines) {
  const std::string exchange = std::string(request.consumer) + " ← " + std::string(request.provider) + ", " +
                               std::string(request.category);
  std::vector<const PolicyRule*> rules = snapshot.rules_for(request.consumer, request.provider, request.category);
  switch (*decision.reason) {
    case Reason::unknown_category: {
      std::vector<std::string> known;
      for (const auto& [id, category] : snapshot.classification().all()) known.push_back(id);
      lines.push_back("category " + in_quotes(request.category) + " is not in classification.yaml (known: " +
                      join(known) + ")");
      return;
    }
    case Reason::unknown_org:
      for (std::string_view id : {request.consumer, request.provider}) {
        if (snapshot.organisations().find(id) == nullptr) {
          lines.push_back("organisation " + in_quotes(id) + " is not in orgs.yaml");
        }
      }
      return;
    case Reason::no_rule:
      lines.push_back("no rule lets " + std::string(request.consumer) + " receive " + std::string(request.category) +
                      " from " + std::string(request.provider) + "; everything not granted is denied");
      return;
    case Reason::purpose_not_allowed:
      lines.push_back("rules exist for " + exchange + ", but none allows purpose " + in_quotes(request.purpose) + ":");
      for (const PolicyRule* rule : rules) {
        lines.push_back("  rule " + in_quotes(rule->id) + " (" + where(*rule) + ") allows: " + join(rule->purposes));
      }
      return;
    case Reason::rule_expired:
      lines.push_back("no rule for " + exchange + " and purpose " + in_quotes(request.purpose) + " is in force at " +
                      format_instant(request.at) + ":");
      for (const PolicyRule* rule : rules) {
        if (std::find(rule->purposes.begin(), rule->purposes.end(), request.purpose) == rule->purposes.end()) continue;
        lines.push_back("  rule " + in_quotes(rule->id) + " (" + where(*rule) + ") is valid " +
                        describe_validity(rule->validity));
      }
      return;
    default:
      return;
  }
}

void explain_fields(const PolicySnapshot& snapshot, const DecisionRequest& request, const Decision& decision,
                    std::vector<std::string>& lines) {
  const PolicyRule* rule = find_rule(snapshot, decision.rule_id);
  const Category* category = snapshot.classification().find(request.category);
  const Organisation* consumer = snapshot.organisations().find(request.consumer);
  if (rule == nullptr || category == nullptr || consumer == nullptr) return;
  for (const RefusedField& refused : decision.refused_fields) {
    const FieldDefinition* field = category->find_field(refused.name);
    switch (refused.reason) {
      case Reason::unknown_field: {
        std::vector<std::string> names;
        for (const auto& known : category->fields) names.push_back(known.name);
        lines.push_back("field " + in_quotes(refused.name) + " refused: not a field of " + category->id + " (fields: " +
                        join(names) + ")");
        break;
      }
      case Reason::clearance_insufficient:
        lines.push_back("field " + in_quotes(refused.name) + " refused: confidentiality " +
                        std::to_string(field->confidentiality) + " (" +
                        snapshot.classification().label(field->confidentiality) + ") is above the clearance " +
                        std::to_string(consumer->clearance) + " of " + consumer->id +
                        "; the classification wins over any rule");
        break;
      default:
        lines.push_back("field " + in_quotes(refused.name) + " refused: rule " + in_quotes(rule->id) +
                        " does not permit it (it permits: " + join(rule->fields) + ")");
        break;
    }
  }
}

}  // namespace

std::string describe_rate_limit(const RateLimit& limit) {
  const auto seconds = limit.period.count();
  const char* unit = seconds == 1 ? "second" : seconds == 60 ? "minute" : seconds == 3600 ? "hour" : "day";
  return std::to_string(limit.requests) + " per " + unit;
}

std::string describe_validity(const ValidityPeriod& validity) {
  const bool has_start = validity.from != Instant::min();
  const bool has_end = validity.until != Instant::max();
  if (!has_start && !has_end) return "always";
  if (!has_end) return "from " + format_instant(validity.from) + ", with no end";
  const std::string until = "until " + format_instant(validity.until) + " (exclusive)";
  return has_start ? "from " + format_instant(validity.from) + " " + until : until;
}

std::vector<std::string> explain(const PolicySnapshot& snapshot, const DecisionRequest& request,
                                 const Decision& decision) {
  std::vector<std::string> lines;
  const PolicyRule* rule = decision.rule_id.empty() ? nullptr : find_rule(snapshot, decision.rule_id);
  if (decision.reason && rule == nullptr) {
    explain_rule_denial(snapshot, request, decision, lines);
    return lines;
  }
  if (decision.reason == Reason::rule_expired) {
    explain_rule_denial(snapshot, request, decision, lines);
    return lines;
  }
  if (rule != nullptr) {
    lines.push_back("rule " + in_quotes(rule->id) + " (" + where(*rule) + ") lets " + rule->consumer + " receive " +
                    rule->category + " from " + rule->provider + " for purpose " + in_quotes(request.purpose) +
                    ", valid " + describe_validity(rule->validity));
    if (rule->basis.kind == BasisKind::consent) {
      lines.push_back("basis: consent — the broker must find a valid consent of the subject before exchanging");
    } else {
      lines.push_back("basis: law — " + rule->basis.legal_reference + " (no consent needed)");
    }
  }
  explain_fields(snapshot, request, decision, lines);
  if (!decision.allowed()) lines.push_back("no requested field may be sent, so the exchange is denied");
  return lines;
}

}  // namespace pse::policy::cli

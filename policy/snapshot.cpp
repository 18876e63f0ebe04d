// PolicySnapshot::decide(): the hot path. A few hash lookups and one binary search; no scan
// of the rules, no clock, no I/O, no locks.
#include "policy/snapshot.hpp"

#include <algorithm>
#include <bit>

namespace pse::policy {
namespace {

Decision deny(Reason reason) {
  Decision decision;
  decision.reason = reason;
  return decision;
}

// When every requested field is refused, the decision carries the most fundamental reason:
// the classification first, then the rule, then the request's own mistake.
Reason strongest_refusal(const std::vector<RefusedField>& refused) {
  for (Reason reason : {Reason::clearance_insufficient, Reason::field_not_permitted, Reason::unknown_field}) {
    for (const RefusedField& field : refused) {
      if (field.reason == reason) return reason;
    }
  }
  return Reason::field_not_permitted;
}

}  // namespace

Decision PolicySnapshot::decide(const DecisionRequest& request) const {
  const auto category = index_.categories.find(request.category);
  if (category == index_.categories.end()) return deny(Reason::unknown_category);
  const auto consumer = index_.organisations.find(request.consumer);
  const auto provider = index_.organisations.find(request.provider);
  if (consumer == index_.organisations.end() || provider == index_.organisations.end()) {
    return deny(Reason::unknown_org);
  }
  const auto group = index_.groups.find(index::group_key(consumer->second.id, provider->second.id, category->second.id));
  if (group == index_.groups.end()) return deny(Reason::no_rule);
  const auto purpose = index_.purposes.find(request.purpose);
  if (purpose == index_.purposes.end()) return deny(Reason::purpose_not_allowed);

  const std::vector<index::GroupEntry>& entries = group->second.entries;
  const auto [first, last] = std::equal_range(
      entries.begin(), entries.end(), index::GroupEntry{purpose->second, {}, {}, 0},
      [](const index::GroupEntry& a, const index::GroupEntry& b) { return a.purpose < b.purpose; });
  if (first == last) return deny(Reason::purpose_not_allowed);

  // Windows of one purpose are sorted and disjoint: the only candidate is the last one that
  // started at or before `at`.
  const auto next = std::upper_bound(first, last, request.at,
                                     [](Instant at, const index::GroupEntry& entry) { return at < entry.from; });
  if (next == first || request.at >= std::prev(next)->until) {
    Decision decision = deny(Reason::rule_expired);
    decision.rule_id = rules_[(next == first ? first : std::prev(next))->rule].id;
    return decision;
  }
  return decide_fields(request, category->second, consumer->second.clearance, std::prev(next)->rule);
}

Decision PolicySnapshot::decide_fields(const DecisionRequest& request, const index::CompiledCategory& category,
                                       int clearance, std::uint32_t rule_position) const {
  const PolicyRule& rule = rules_[rule_position];
  const index::FieldMask rule_fields = index_.rule_fields[rule_position];
  const index::FieldMask cleared = category.within_clearance[static_cast<std::size_t>(clearance)];

  Decision decision;
  decision.rule_id = rule.id;
  index::FieldMask permitted = 0;
  if (request.fields.empty()) {
    permitted = rule_fields & cleared;
  } else {
    index::FieldMask refused_known = 0;
    auto consider = [&](std::string_view name, index::FieldMask bit) {
      if ((permitted | refused_known) & bit) return;  // asked twice
      // Clearance is checked before the rule: the classification wins whatever a rule says.
      if ((cleared & bit) == 0) {
        decision.refused_fields.push_back({std::string(name), Reason::clearance_insufficient});
        refused_known |= bit;
      } else if ((rule_fields & bit) == 0) {
        decision.refused_fields.push_back({std::string(name), Reason::field_not_permitted});
        refused_known |= bit;
      } else {
        permitted |= bit;
      }
    };
    for (const std::string& name : request.fields) {
      if (const auto position = category.field_positions.find(name); position != category.field_positions.end()) {
        consider(name, index::FieldMask{1} << position->second);
      } else if (const auto list = category.list_fields.find(name); list != category.list_fields.end()) {
        // A list field asked for by its name: each of its sub-fields, decided one by one.
        for (index::FieldMask rest = list->second; rest != 0; rest &= rest - 1) {
          const auto sub = static_cast<std::size_t>(std::countr_zero(rest));
          consider(category.category->fields[sub].name, index::FieldMask{1} << sub);
        }
      } else {
        decision.refused_fields.push_back({name, Reason::unknown_field});
      }
    }
  }
  if (permitted == 0) {
    decision.reason = strongest_refusal(decision.refused_fields);
    return decision;
  }

  decision.effect = Effect::allow;
  decision.permitted_fields.reserve(static_cast<std::size_t>(std::popcount(permitted)));
  for (index::FieldMask rest = permitted; rest != 0; rest &= rest - 1) {
    decision.permitted_fields.push_back(category.category->fields[static_cast<std::size_t>(std::countr_zero(rest))].name);
  }
  decision.basis = rule.basis;
  decision.obligations = rule.obligations;
  decision.rate_limit = rule.rate_limit;
  return decision;
}

std::vector<const PolicyRule*> PolicySnapshot::rules_for(std::string_view consumer, std::string_view provider,
                                                         std::string_view category) const {
  std::vector<const PolicyRule*> result;
  const auto compiled_category = index_.categories.find(category);
  const auto compiled_consumer = index_.organisations.find(consumer);
  const auto compiled_provider = index_.organisations.find(provider);
  if (compiled_category == index_.categories.end() || compiled_consumer == index_.organisations.end() ||
      compiled_provider == index_.organisations.end()) {
    return result;
  }
  const auto group = index_.groups.find(
      index::group_key(compiled_consumer->second.id, compiled_provider->second.id, compiled_category->second.id));
  if (group == index_.groups.end()) return result;
  for (const index::GroupEntry& entry : group->second.entries) {
    const PolicyRule* rule = &rules_[entry.rule];
    if (std::find(result.begin(), result.end(), rule) == result.end()) result.push_back(rule);
  }
  return result;
}

}  // namespace pse::policy

#include "policy/policy_rule.hpp"

#include <array>
#include <utility>

namespace pse::policy {
namespace {

constexpr std::array<std::pair<Obligation, std::string_view>, kObligationCount> kObligationNames = {{
    {Obligation::notify_subject, "notify_subject"},
    {Obligation::end_to_end_encryption, "end_to_end_encryption"},
    {Obligation::no_onward_disclosure, "no_onward_disclosure"},
}};

}  // namespace

std::string_view to_string(BasisKind kind) noexcept {
  switch (kind) {
    case BasisKind::consent: return "consent";
    case BasisKind::law: return "law";
    case BasisKind::none: break;
  }
  return "none";
}

std::string_view to_string(Obligation obligation) noexcept {
  for (const auto& [value, name] : kObligationNames) {
    if (value == obligation) return name;
  }
  return "unknown";
}

std::optional<Obligation> obligation_from_string(std::string_view text) noexcept {
  for (const auto& [value, name] : kObligationNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::vector<Obligation> ObligationSet::list() const {
  std::vector<Obligation> result;
  for (const auto& [value, name] : kObligationNames) {
    if (contains(value)) result.push_back(value);
  }
  return result;
}

std::vector<std::string> ObligationSet::names() const {
  std::vector<std::string> result;
  for (const auto& [value, name] : kObligationNames) {
    if (contains(value)) result.emplace_back(name);
  }
  return result;
}

}  // namespace pse::policy

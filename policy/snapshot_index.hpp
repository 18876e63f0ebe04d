// The indexes of a compiled PolicySnapshot (private to policy/).
//
// Every name a decision receives is resolved by hashing, and the few rules that share one
// (consumer, provider, category) are kept sorted by purpose and start of validity, so that a
// decision costs a handful of hash lookups and one binary search whatever the number of rules.
// Field sets are 64-bit masks over the category's fields (see kMaxFieldsPerCategory).
#pragma once

#include "policy/classification.hpp"
#include "policy/instant.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pse::policy::index {

using FieldMask = std::uint64_t;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

/// A hash map keyed by std::string that can be searched with a std::string_view.
template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

struct CompiledCategory {
  std::uint32_t id = 0;
  const Category* category = nullptr;
  StringMap<std::uint8_t> field_positions;
  /// Each list field's sub-fields ("dependants" → the bits of "dependants.<sub>").
  StringMap<FieldMask> list_fields;
  /// within_clearance[c]: the fields a consumer of clearance c may ever receive.
  std::array<FieldMask, kHighestLevel + 1> within_clearance{};
};

struct CompiledOrganisation {
  std::uint32_t id = 0;
  int clearance = 0;
};

/// One rule for one of its purposes. A rule with three purposes gives three entries.
struct GroupEntry {
  std::uint32_t purpose = 0;
  Instant from;
  Instant until;
  std::uint32_t rule = 0;  ///< position in PolicySnapshot::rules()
};

/// The rules of one (consumer, provider, category), sorted by (purpose, from). Windows of one
/// purpose never overlap (the compiler refuses it), so at most one entry applies at a time.
struct RuleGroup {
  std::vector<GroupEntry> entries;
};

/// Ids are packed 21 bits each into one 64-bit key.
inline constexpr std::uint32_t kMaxIds = 1u << 21;

inline std::uint64_t group_key(std::uint32_t consumer, std::uint32_t provider,
                               std::uint32_t category) noexcept {
  return (std::uint64_t{consumer} << 42) | (std::uint64_t{provider} << 21) | std::uint64_t{category};
}

struct SnapshotIndex {
  StringMap<CompiledCategory> categories;
  StringMap<CompiledOrganisation> organisations;
  StringMap<std::uint32_t> purposes;
  std::unordered_map<std::uint64_t, RuleGroup> groups;
  std::vector<FieldMask> rule_fields;  ///< per rule, the mask of its `fields`
};

}  // namespace pse::policy::index

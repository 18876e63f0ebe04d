// The information architecture (config/classification.yaml): the government's view of the
// information it holds.
//
// A data category (e.g. `identity.birth`) belongs to one owner body and is rated, as in the
// Québec security categorisation, on three impacts — D (availability), I (integrity) and
// C (confidentiality) — each an ordinal level 0–3 whose labels the file chooses. Each field of
// a category carries its own confidentiality level, because one category can hold a harmless
// field (a year of birth) next to a sensitive one (a health insurance number). A category's C
// rating is the level of its most sensitive field, so a field may not be rated above it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::policy {

inline constexpr int kHighestLevel = 3;

/// A category holds at most this many fields, so that a set of fields is one 64-bit mask in
/// the compiled snapshot.
inline constexpr std::size_t kMaxFieldsPerCategory = 64;

struct ImpactRatings {
  int availability = 0;     ///< D — disponibilité
  int integrity = 0;        ///< I — intégrité
  int confidentiality = 0;  ///< C — confidentialité
};

struct FieldDefinition {
  std::string name;  ///< snake_case, unique in its category; "list.sub" for a list's sub-field
  int confidentiality = 0;
  std::string description;
  /// For a sub-field of a list field (a repeating group: "dependants.birth_date"), the list
  /// ("dependants"); empty for a plain field. See pse/record_fields.hpp for the record's shape.
  std::string list;
};

struct Category {
  std::string id;     ///< dotted snake_case, e.g. "health.insurance_coverage"
  std::string owner;  ///< organisation id of the body that holds the data
  /// Other bodies that may publish events in this category (the owner always may). Notices,
  /// for instance, are defined by the notification platform but sent by many bodies.
  std::vector<std::string> publishers;
  std::string description;
  bool personal_information = false;  ///< renseignements personnels
  ImpactRatings impact;
  /// How long the broker waits for a provider's record in this category; 0: what the
  /// category's availability rating gives (broker/admission/availability.hpp).
  std::uint32_t provider_timeout_ms = 0;
  std::vector<FieldDefinition> fields;  ///< in file order
  /// Its providers must sign what they return (I rating at or above the classification's
  /// signed_integrity_from): the broker refuses an unsigned or altered record integrity_failed.
  bool signed_records = false;
  int line = 0;                         ///< where the category starts in its file

  const FieldDefinition* find_field(std::string_view name) const;
  /// The sub-fields of the list field `list`, in file order; empty when it is not one.
  std::vector<const FieldDefinition*> sub_fields(std::string_view list) const;
  /// True for the owner and the bodies listed in `publishers`.
  bool may_publish(std::string_view organisation) const;
};

class Classification {
 public:
  Classification() = default;
  Classification(std::array<std::string, kHighestLevel + 1> level_labels,
                 std::vector<Category> categories);

  /// nullptr when the id is not classified.
  const Category* find(std::string_view id) const;
  const std::map<std::string, Category, std::less<>>& all() const { return by_id_; }
  std::size_t size() const { return by_id_.size(); }

  /// The configured label of a level 0–3, e.g. "élevé".
  const std::string& label(int level) const;

  /// The integrity rating from which providers sign their records; std::nullopt: none sign.
  std::optional<int> signed_integrity_from() const { return signed_integrity_from_; }
  void require_signatures_from(int level);

 private:
  std::optional<int> signed_integrity_from_;
  std::array<std::string, kHighestLevel + 1> level_labels_;
  std::map<std::string, Category, std::less<>> by_id_;
};

/// True for dotted snake_case: `identity.birth`, `health.insurance_coverage`.
bool is_valid_category_id(std::string_view id) noexcept;
/// A field as policies and requests name it: an identifier, or "list.sub" for a sub-field of a
/// list field.
bool is_valid_field_name(std::string_view name) noexcept;

/// True for snake_case identifiers (field names, purposes): `[a-z][a-z0-9_]*`, ≤ 64 chars.
bool is_valid_identifier(std::string_view name) noexcept;

}  // namespace pse::policy

#include "policy/classification.hpp"

#include <utility>

namespace pse::policy {

const FieldDefinition* Category::find_field(std::string_view name) const {
  for (const auto& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::vector<const FieldDefinition*> Category::sub_fields(std::string_view list) const {
  std::vector<const FieldDefinition*> subs;
  for (const auto& field : fields) {
    if (!field.list.empty() && field.list == list) subs.push_back(&field);
  }
  return subs;
}

bool Category::may_publish(std::string_view organisation) const {
  if (organisation == owner) return true;
  for (const auto& publisher : publishers) {
    if (publisher == organisation) return true;
  }
  return false;
}

Classification::Classification(std::array<std::string, kHighestLevel + 1> level_labels,
                               std::vector<Category> categories)
    : level_labels_(std::move(level_labels)) {
  for (auto& category : categories) {
    std::string id = category.id;
    by_id_.emplace(std::move(id), std::move(category));
  }
}

const Category* Classification::find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

void Classification::require_signatures_from(int level) {
  signed_integrity_from_ = level;
  for (auto& [id, category] : by_id_) category.signed_records = category.impact.integrity >= level;
}

const std::string& Classification::label(int level) const {
  static const std::string unknown = "?";
  if (level < 0 || level > kHighestLevel) return unknown;
  return level_labels_[static_cast<std::size_t>(level)];
}

bool is_valid_identifier(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  if (name.front() < 'a' || name.front() > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool is_valid_field_name(std::string_view name) noexcept {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return is_valid_identifier(name);
  return is_valid_identifier(name.substr(0, dot)) && is_valid_identifier(name.substr(dot + 1));
}

bool is_valid_category_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = id.find('.', start);
    const std::string_view part = id.substr(start, dot == std::string_view::npos ? id.npos : dot - start);
    if (!is_valid_identifier(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace pse::policy

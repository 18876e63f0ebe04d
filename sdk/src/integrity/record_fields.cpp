#include <pse/record_fields.hpp>

#include <boost/json/array.hpp>

#include <algorithm>
#include <cmath>

namespace pse::records {
namespace json = boost::json;

namespace {

bool is_list(const json::value& value) { return value.is_array(); }

// "list.sub" → its sub-field name when `field` belongs to the list field `list`.
std::optional<std::string_view> sub_field_of(std::string_view field, std::string_view list) {
  if (field.size() <= list.size() + 1 || !field.starts_with(list) || field[list.size()] != '.') return std::nullopt;
  return field.substr(list.size() + 1);
}

}  // namespace

bool is_scalar(const json::value& value) noexcept {
  if (value.is_double()) return std::isfinite(value.get_double());
  return value.is_string() || value.is_number() || value.is_bool() || value.is_null();
}

std::optional<std::string> value_problem(std::string_view name, const json::value& value) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (is_scalar(value)) return std::nullopt;
  if (!value.is_array()) return "the value of " + quoted + " is not a string, a finite number, a boolean, null or a list";
  const json::array& items = value.get_array();
  if (items.size() > kMaxListItems) {
    return "the list " + quoted + " holds more than " + std::to_string(kMaxListItems) + " items";
  }
  for (const json::value& item : items) {
    if (!item.is_object()) return "an item of the list " + quoted + " is not an object";
    for (const auto& [key, sub] : item.get_object()) {
      if (key.empty() || key.size() > 64 || key.find('.') != json::string_view::npos) {
        return "an item of the list " + quoted + " has a field name that is empty, longer than 64 or dotted";
      }
      if (!is_scalar(sub)) {
        return "the value of '" + std::string(name) + "." + std::string(key) +
               "' is not a string, a finite number, a boolean or null";
      }
    }
  }
  return std::nullopt;
}

json::object project(const json::object& record, const std::vector<std::string>& fields) {
  json::object kept;
  for (const auto& [name, value] : record) {
    if (std::find(fields.begin(), fields.end(), std::string_view(name)) != fields.end()) {
      kept.emplace(name, value);
      continue;
    }
    if (!is_list(value)) continue;
    std::vector<std::string_view> subs;
    for (const auto& field : fields) {
      if (auto sub = sub_field_of(field, name)) subs.push_back(*sub);
    }
    if (subs.empty()) continue;
    json::array items;
    items.reserve(value.get_array().size());
    for (const json::value& item : value.get_array()) {
      json::object kept_item;
      if (const json::object* object = item.if_object()) {
        for (const auto& [key, sub_value] : *object) {
          if (std::find(subs.begin(), subs.end(), std::string_view(key)) != subs.end()) kept_item.emplace(key, sub_value);
        }
      }
      items.emplace_back(std::move(kept_item));
    }
    kept.emplace(name, std::move(items));
  }
  return kept;
}

std::vector<std::string> with_list_names(const std::vector<std::string>& fields) {
  std::vector<std::string> names = fields;
  for (const std::string& field : fields) {
    const std::size_t dot = field.find('.');
    if (dot == std::string::npos) continue;
    std::string list = field.substr(0, dot);
    if (std::find(names.begin(), names.end(), list) == names.end()) names.push_back(std::move(list));
  }
  return names;
}

bool provides(const json::object& record, std::string_view field) {
  if (record.contains(field)) return true;
  const std::size_t dot = field.find('.');
  if (dot == std::string_view::npos) return false;
  const json::value* list = record.if_contains(field.substr(0, dot));
  return list != nullptr && list->is_array();
}

json::object columns(const json::object& record) {
  json::object out;
  for (const auto& [name, value] : record) {
    if (!is_list(value)) {
      out.emplace(name, value);
      continue;
    }
    // The number of items is a column of its own: a list emptied on the way would otherwise
    // leave no column to disprove it.
    const json::array& items = value.get_array();
    out.emplace(name, static_cast<std::uint64_t>(items.size()));
    std::vector<std::string> subs;
    for (const json::value& item : items) {
      if (const json::object* object = item.if_object()) {
        for (const auto& entry : *object) {
          if (std::find(subs.begin(), subs.end(), std::string_view(entry.key())) == subs.end()) {
            subs.emplace_back(entry.key());
          }
        }
      }
    }
    for (const std::string& sub : subs) {
      json::array column;
      column.reserve(items.size());
      for (const json::value& item : items) {
        const json::object* object = item.if_object();
        const json::value* found = object != nullptr ? object->if_contains(sub) : nullptr;
        column.emplace_back(found != nullptr ? *found : json::value(nullptr));
      }
      out.emplace(std::string(name) + "." + sub, std::move(column));
    }
  }
  return out;
}

}  // namespace pse::records

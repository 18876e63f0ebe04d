#include "adapters/connector/field_mapping.hpp"

#include "adapters/connector/canonical_source.hpp"
#include "adapters/record/field_spec.hpp"

namespace pse::connector {

RecordMapper::RecordMapper(std::string key_field, std::vector<FieldMapping> fields)
    : key_field_(std::move(key_field)), fields_(std::move(fields)) {}

std::vector<std::string> RecordMapper::source_fields() const {
  std::vector<std::string> names;
  if (!key_field_.empty()) names.push_back(key_field_);
  for (const auto& mapping : fields_) names.push_back(mapping.source);
  return names;
}

boost::json::value to_json_value(const adapters::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return boost::json::value(boost::json::string(*text));
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return boost::json::value(*integer);
  if (const auto* boolean = std::get_if<bool>(&value)) return boost::json::value(*boolean);
  if (std::holds_alternative<adapters::Null>(value)) return boost::json::value(nullptr);
  return boost::json::value(boost::json::string(text_of(value)));  // decimals and dates
}

namespace {

// One legacy value as the wire carries it, retyped when the mapping says so; the error (which
// may quote the value, for the reject file) when the retyping refuses it.
std::optional<boost::json::value> map_value(const FieldMapping& mapping, const adapters::Value* value,
                                            std::string& error) {
  if (!mapping.retype) return value == nullptr ? boost::json::value(nullptr) : to_json_value(*value);
  const std::string text = value == nullptr ? std::string() : text_of(*value);
  adapters::ParsedValue parsed = adapters::parse_field_value(text, *mapping.retype);
  if (parsed.error != nullptr) {
    error = std::string(parsed.error) + " (from " + mapping.source + ": '" + text + "')";
    return std::nullopt;
  }
  return to_json_value(parsed.value);
}

}  // namespace

MappingOutcome RecordMapper::map(const adapters::Record& record) const {
  MappingOutcome outcome;
  if (!key_field_.empty()) {
    const adapters::Value* key = record.find(key_field_);
    std::string subject = key == nullptr ? std::string() : text_of(*key);
    if (subject.empty()) {
      outcome.field = key_field_;
      outcome.error = "the key field is empty";
      return outcome;
    }
    outcome.record.subject = std::move(subject);
  }
  outcome.record.fields.reserve(fields_.size());
  for (const auto& mapping : fields_) {
    const adapters::Value* value = record.find(mapping.source);
    if (!mapping.items.empty()) {
      const auto* list = value == nullptr ? nullptr : std::get_if<adapters::List>(value);
      if (list == nullptr) {
        outcome.record.fields.emplace(mapping.target, nullptr);
        continue;
      }
      boost::json::array items;
      items.reserve(list->items.size());
      for (const adapters::Record& occurrence : list->items) {
        boost::json::object item;
        for (const auto& sub : mapping.items) {
          auto mapped = map_value(sub, occurrence.find(sub.source), outcome.error);
          if (!mapped) {
            outcome.field = mapping.target + "." + sub.target;
            return outcome;
          }
          item.emplace(sub.target, std::move(*mapped));
        }
        items.emplace_back(std::move(item));
      }
      outcome.record.fields.emplace(mapping.target, std::move(items));
      continue;
    }
    auto mapped = map_value(mapping, value, outcome.error);
    if (!mapped) {
      outcome.field = mapping.target;
      return outcome;
    }
    outcome.record.fields.emplace(mapping.target, std::move(*mapped));
  }
  return outcome;
}

}  // namespace pse::connector

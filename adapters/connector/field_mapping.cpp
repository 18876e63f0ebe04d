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
    if (!mapping.retype) {
      outcome.record.fields.emplace(mapping.target, value == nullptr ? boost::json::value(nullptr) : to_json_value(*value));
      continue;
    }
    const std::string text = value == nullptr ? std::string() : text_of(*value);
    adapters::ParsedValue parsed = adapters::parse_field_value(text, *mapping.retype);
    if (parsed.error != nullptr) {
      outcome.field = mapping.target;
      outcome.error = std::string(parsed.error) + " (from " + mapping.source + ": '" + text + "')";
      return outcome;
    }
    outcome.record.fields.emplace(mapping.target, to_json_value(parsed.value));
  }
  return outcome;
}

}  // namespace pse::connector

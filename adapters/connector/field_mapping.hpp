// From a canonical legacy record to the classification's fields: the mapping of one category.
//
// Each mapping takes one legacy field, optionally retypes it (its text parsed again as the
// mapping's type says), and names it as the classification does. The result is the JSON the
// wire carries: strings, integers, booleans and null; decimals and dates as strings (the
// canonical record's convention), so no amount is rounded by a consumer's JSON parser.
#pragma once

#include "adapters/connector/connector_config.hpp"
#include "adapters/record/record.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace pse::connector {

/// A record mapped to a category: its subject (the key) and its classification fields.
struct MappedRecord {
  std::string subject;
  boost::json::object fields;
};

/// The outcome of mapping one record: the record, or why it cannot be used.
struct MappingOutcome {
  MappedRecord record;
  std::string field;   ///< on error: the classification field (or the key) at fault
  std::string error;   ///< empty on success
};

class RecordMapper {
 public:
  RecordMapper(std::string key_field, std::vector<FieldMapping> fields);

  /// Maps one canonical record. A missing or empty key, or a value its retyping refuses, is an
  /// error (the record is rejected under the source's policy).
  MappingOutcome map(const adapters::Record& record) const;

  /// The legacy fields this mapper reads: the key, then each mapping's source.
  std::vector<std::string> source_fields() const;
  const std::vector<FieldMapping>& fields() const noexcept { return fields_; }
  const std::string& key_field() const noexcept { return key_field_; }

 private:
  std::string key_field_;
  std::vector<FieldMapping> fields_;
};

/// The wire JSON of a canonical value.
boost::json::value to_json_value(const adapters::Value& value);

}  // namespace pse::connector

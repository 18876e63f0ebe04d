#include "adapters/csv/csv_schema.hpp"

#include "base/yaml_reader.hpp"

#include <set>

namespace pse::adapters::csv {

CsvSchema load_csv_schema(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap map(root, file, "csv schema");
  CsvSchema schema;
  FieldSpec defaults;

  const std::string dialect = map.string_or("dialect", "rfc4180");
  if (dialect == "french") {
    // The French-locale export of spreadsheets and many Québec systems: the comma is the
    // decimal separator, so the field separator becomes the semicolon.
    schema.delimiter = ';';
    defaults.decimal_separator = ',';
  } else if (dialect != "rfc4180") {
    map.fail_key("dialect", "must be rfc4180 or french, got '" + dialect + "'");
  }
  if (auto delimiter = map.optional_string("delimiter")) {
    if (delimiter->size() != 1 || *delimiter == "\"" || *delimiter == "\n" || *delimiter == "\r") {
      map.fail_key("delimiter", "must be one character other than a quote or a line end");
    }
    schema.delimiter = (*delimiter)[0];
  }
  if (auto separator = map.optional_string("decimal_separator")) {
    if (*separator != "." && *separator != ",") map.fail_key("decimal_separator", "must be '.' or ','");
    defaults.decimal_separator = (*separator)[0];
  }
  if (auto format = map.optional_string("date_format")) defaults.date_format = *format;
  schema.header = map.boolean_or("header", false);
  schema.on_error = read_error_policy(map);

  const YAML::Node columns = map.required_node("columns");
  if (!columns.IsSequence() || columns.size() == 0) map.fail(columns, "csv schema.columns must be a non-empty list");
  std::set<std::string> names;
  for (const auto& column : columns) {
    YamlMap column_map(column, file, "column");
    FieldSpec spec = read_field_spec(column_map, defaults);
    column_map.finish();
    if (!names.insert(spec.name).second) map.fail(column, "duplicate column '" + spec.name + "'");
    schema.columns.push_back(std::move(spec));
  }
  map.finish();
  return schema;
}

}  // namespace pse::adapters::csv

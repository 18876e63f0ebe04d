#include "adapters/sql/sql_source_config.hpp"

#include "base/yaml_reader.hpp"

#include <set>

namespace pse::adapters::sql {

SqlSourceConfig load_sql_source_config(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap map(root, file, "sql source");
  SqlSourceConfig config;
  config.config_file = file;
  config.database = resolve_relative_to(file, map.required_string("database"));
  if (map.has("query")) config.query_line = line_of(root["query"]);
  config.query = map.required_string("query");
  config.on_error = read_error_policy(map);
  config.max_rows = static_cast<std::uint64_t>(map.integer_or("max_rows", 1000, 1, 1000000));
  config.fields = read_sql_fields(map);
  map.finish();
  return config;
}

std::vector<SqlField> read_sql_fields(YamlMap& map) {
  FieldSpec defaults;
  if (auto format = map.optional_string("date_format")) defaults.date_format = *format;
  const YAML::Node fields = map.required_node("fields");
  if (!fields.IsSequence() || fields.size() == 0) map.fail(fields, "sql source.fields must be a non-empty list");
  std::vector<SqlField> result;
  std::set<std::string> names;
  for (const auto& field_node : fields) {
    YamlMap field_map(field_node, map.file(), "field");
    SqlField field;
    field.spec = read_field_spec(field_map, defaults);
    field.column = field_map.string_or("column", field.spec.name);
    field_map.finish();
    if (!names.insert(field.spec.name).second) map.fail(field_node, "duplicate field '" + field.spec.name + "'");
    result.push_back(std::move(field));
  }
  return result;
}

}  // namespace pse::adapters::sql

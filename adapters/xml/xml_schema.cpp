#include "adapters/xml/xml_schema.hpp"

#include "base/yaml_reader.hpp"

#include <set>

namespace pse::adapters::xml {

XmlSchema load_xml_schema(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap map(root, file, "xml schema");
  XmlSchema schema;
  schema.soap = map.boolean_or("soap", false);
  schema.on_error = read_error_policy(map);
  schema.limits.max_bytes =
      static_cast<std::size_t>(map.integer_or("max_bytes", static_cast<std::int64_t>(schema.limits.max_bytes), 1,
                                              1024LL * 1024 * 1024));
  schema.limits.max_depth = static_cast<int>(map.integer_or("max_depth", schema.limits.max_depth, 2, 256));

  std::map<std::string, std::string> namespaces;
  if (auto node = map.optional_node("namespaces")) {
    if (!node->IsMap()) map.fail(*node, "xml schema.namespaces must map prefixes to URIs");
    for (const auto& entry : *node) {
      if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
        map.fail(entry.second, "namespace '" + entry.first.Scalar() + "' must be a non-empty URI");
      }
      namespaces[entry.first.Scalar()] = entry.second.Scalar();
    }
  }
  FieldSpec defaults;
  if (auto format = map.optional_string("date_format")) defaults.date_format = *format;

  const YAML::Node record_path = map.required_node("record_path");
  std::string error;
  schema.record_path = parse_xml_path(record_path.IsScalar() ? record_path.Scalar() : "", true, namespaces, error);
  if (!error.empty()) map.fail(record_path, "record_path " + error);
  if (schema.record_path.steps.back().attribute) map.fail(record_path, "record_path must name elements");

  const YAML::Node fields = map.required_node("fields");
  if (!fields.IsSequence() || fields.size() == 0) map.fail(fields, "xml schema.fields must be a non-empty list");
  std::set<std::string> names;
  for (const auto& field_node : fields) {
    YamlMap field_map(field_node, file, "field");
    XmlField field;
    field.spec = read_field_spec(field_map, defaults);
    const std::string path = field_map.required_string("path");
    field.path = parse_xml_path(path, false, namespaces, error);
    if (!error.empty()) field_map.fail_key("path", error);
    field_map.finish();
    if (!names.insert(field.spec.name).second) map.fail(field_node, "duplicate field '" + field.spec.name + "'");
    schema.fields.push_back(std::move(field));
  }
  map.finish();
  return schema;
}

}  // namespace pse::adapters::xml

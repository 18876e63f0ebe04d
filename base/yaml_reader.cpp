#include "base/yaml_reader.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <utility>

namespace pse {

YAML::Node load_yaml_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file, 0, "cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    throw ConfigError(file, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg);
  }
  if (!root || root.IsNull()) throw ConfigError(file, 0, "file is empty");
  if (!root.IsMap()) throw ConfigError(file, line_of(root), "top level must be a mapping");
  return root;
}

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

YamlMap::YamlMap(const YAML::Node& node, std::filesystem::path file, std::string what)
    : node_(node), file_(std::move(file)), what_(std::move(what)) {
  if (!node_.IsMap()) fail(node_, what_ + " must be a mapping");
}

bool YamlMap::has(const std::string& key) const { return static_cast<bool>(node_[key]); }

YAML::Node YamlMap::take(const std::string& key) {
  read_.insert(key);
  // Const lookup: yaml-cpp's non-const operator[] would create the key.
  return std::as_const(node_)[key];
}

std::string YamlMap::scalar(const std::string& key, const YAML::Node& value) const {
  if (!value.IsScalar()) fail(value, what_ + "." + key + " must be a single value");
  return value.Scalar();
}

std::string YamlMap::required_string(const std::string& key) {
  auto value = optional_string(key);
  if (!value) fail_key(key, "is required");
  return *value;
}

std::string YamlMap::string_or(const std::string& key, const std::string& fallback) {
  return optional_string(key).value_or(fallback);
}

std::optional<std::string> YamlMap::optional_string(const std::string& key) {
  YAML::Node value = take(key);
  if (!value) return std::nullopt;
  std::string text = scalar(key, value);
  if (text.empty()) fail(value, what_ + "." + key + " must not be empty");
  return text;
}

std::int64_t YamlMap::required_integer(const std::string& key, std::int64_t min, std::int64_t max) {
  if (!has(key)) fail_key(key, "is required");
  return integer_or(key, 0, min, max);
}

std::int64_t YamlMap::integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) {
  YAML::Node value = take(key);
  if (!value) return fallback;
  const std::string text = scalar(key, value);
  std::int64_t number = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || ptr != end) {
    fail(value, what_ + "." + key + " must be an integer, got '" + text + "'");
  }
  if (number < min || number > max) {
    fail(value, what_ + "." + key + " must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", got " + text);
  }
  return number;
}

bool YamlMap::boolean_or(const std::string& key, bool fallback) {
  YAML::Node value = take(key);
  if (!value) return fallback;
  const std::string text = scalar(key, value);
  if (text == "true") return true;
  if (text == "false") return false;
  fail(value, what_ + "." + key + " must be true or false, got '" + text + "'");
}

std::vector<std::string> YamlMap::string_list(const std::string& key) {
  YAML::Node value = take(key);
  std::vector<std::string> items;
  if (!value) return items;
  if (!value.IsSequence()) fail(value, what_ + "." + key + " must be a list");
  for (const auto& item : value) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      fail(item, what_ + "." + key + " items must be non-empty values");
    }
    items.push_back(item.Scalar());
  }
  return items;
}

YAML::Node YamlMap::required_node(const std::string& key) {
  auto value = optional_node(key);
  if (!value) fail_key(key, "is required");
  return *value;
}

std::optional<YAML::Node> YamlMap::optional_node(const std::string& key) {
  YAML::Node value = take(key);
  if (!value) return std::nullopt;
  return value;
}

void YamlMap::finish() const {
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) fail(entry.first, "duplicate key '" + key + "' in " + what_);
    if (!read_.contains(key)) fail(entry.first, "unknown key '" + key + "' in " + what_);
  }
}

void YamlMap::fail(const YAML::Node& at, const std::string& reason) const {
  throw ConfigError(file_, line_of(at), reason);
}

void YamlMap::fail_key(const std::string& key, const std::string& reason) const {
  throw ConfigError(file_, line_of(node_), what_ + "." + key + " " + reason);
}

std::filesystem::path resolve_relative_to(const std::filesystem::path& config_file,
                                          const std::string& value) {
  std::filesystem::path path(value);
  if (path.is_absolute()) return path;
  return (config_file.parent_path() / path).lexically_normal();
}

}  // namespace pse

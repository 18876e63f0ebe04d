// Strict, typed reading of YAML configuration files.
//
// Every loader in PSE must reject unknown keys and bad values with the file, the line and the
// reason (ARCHITECTURE §3). YamlMap makes that the default: each key is taken once through a
// typed accessor, and finish() refuses any key nobody asked for — so a typo such as `prot: 8443`
// is an error instead of a silently ignored setting.
#pragma once

#include "base/config_error.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pse {

/// Reads and parses a YAML file. Throws ConfigError when the file is missing, unreadable,
/// empty, or not valid YAML (with the parser's line).
YAML::Node load_yaml_file(const std::filesystem::path& file);

/// 1-based line of a node, for error messages (0 when yaml-cpp has no mark).
int line_of(const YAML::Node& node);

class YamlMap {
 public:
  /// `what` names the mapping in messages, e.g. "limits" or "organisation 'ramq'".
  YamlMap(const YAML::Node& node, std::filesystem::path file, std::string what);

  bool has(const std::string& key) const;

  std::string required_string(const std::string& key);
  std::string string_or(const std::string& key, const std::string& fallback);
  std::optional<std::string> optional_string(const std::string& key);

  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max);
  std::int64_t required_integer(const std::string& key, std::int64_t min, std::int64_t max);
  bool boolean_or(const std::string& key, bool fallback);

  /// A list of scalars; absent key → empty list.
  std::vector<std::string> string_list(const std::string& key);

  /// A nested mapping or sequence; throws when required and absent.
  YAML::Node required_node(const std::string& key);
  std::optional<YAML::Node> optional_node(const std::string& key);

  /// Throws for the first key present in the mapping but never read.
  void finish() const;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& reason) const;
  [[noreturn]] void fail_key(const std::string& key, const std::string& reason) const;

  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  YAML::Node take(const std::string& key);
  std::string scalar(const std::string& key, const YAML::Node& value) const;

  YAML::Node node_;
  std::filesystem::path file_;
  std::string what_;
  std::set<std::string> read_;
};

/// A path from a config file, resolved against the directory of that file when relative.
std::filesystem::path resolve_relative_to(const std::filesystem::path& config_file,
                                          const std::string& value);

}  // namespace pse

#include "adapters/sql/odbc_source_config.hpp"

#include "base/key_file.hpp"
#include "base/yaml_reader.hpp"

#include <algorithm>
#include <cctype>

namespace pse::adapters::sql {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Whether the string sets PWD or PASSWORD (keywords are case-insensitive; a value may be
// braced and hold semicolons).
bool names_a_password(const std::string& connection) {
  std::size_t i = 0;
  while (i < connection.size()) {
    const std::size_t equals = connection.find('=', i);
    if (equals == std::string::npos) break;
    std::string key = connection.substr(i, equals - i);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    key = lower(key);
    if (key == "pwd" || key == "password") return true;
    std::size_t end = equals + 1;
    if (end < connection.size() && connection[end] == '{') {
      end = connection.find('}', end);
      while (end != std::string::npos && end + 1 < connection.size() && connection[end + 1] == '}') {
        end = connection.find('}', end + 2);
      }
      if (end == std::string::npos) break;
    }
    end = connection.find(';', end);
    if (end == std::string::npos) break;
    i = end + 1;
  }
  return false;
}

}  // namespace

std::string OdbcConnectionSettings::connection_string() const {
  if (password.empty()) return connection;
  // A braced value may hold any character; a closing brace is doubled.
  std::string braced;
  for (const char c : password) {
    braced += c;
    if (c == '}') braced += '}';
  }
  std::string text = connection;
  while (!text.empty() && (text.back() == ';' || text.back() == ' ')) text.pop_back();
  return text + ";PWD={" + braced + "}";
}

OdbcConnectionSettings read_connection_settings(YamlMap& map, const std::filesystem::path& file) {
  OdbcConnectionSettings settings;
  settings.name = file.filename().string();
  settings.connection = map.required_string("connection");
  if (names_a_password(settings.connection)) {
    map.fail_key("connection", "must not hold the password: put it in password_file");
  }
  if (auto password_file = map.optional_string("password_file")) {
    settings.password = read_secret_key_file(resolve_relative_to(file, *password_file));
  }
  settings.login_timeout = std::chrono::seconds(map.integer_or("login_timeout_s", 5, 1, 60));
  settings.query_timeout = std::chrono::seconds(map.integer_or("query_timeout_s", 5, 1, 300));
  return settings;
}

OdbcSourceConfig load_odbc_source_config(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap map(root, file, "odbc source");
  OdbcSourceConfig config;
  static_cast<OdbcConnectionSettings&>(config) = read_connection_settings(map, file);
  if (map.has("query")) config.query_line = line_of(root["query"]);
  config.query = map.required_string("query");
  config.connections = static_cast<std::size_t>(map.integer_or("connections", 4, 1, 64));
  config.on_error = read_error_policy(map);
  config.max_rows = static_cast<std::uint64_t>(map.integer_or("max_rows", 1000, 1, 1000000));
  config.fields = read_sql_fields(map);
  map.finish();
  return config;
}

}  // namespace pse::adapters::sql

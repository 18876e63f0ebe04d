#include "store/store_config.hpp"

#include "base/key_file.hpp"

namespace pse::store {

StoreConfig read_store_config(const YAML::Node& node, const std::filesystem::path& file) {
  YamlMap store(node, file, "store");
  // Errors point at the key's own line.
  auto fail = [&](const char* key, const std::string& reason) {
    store.fail(node[key], std::string("store.") + key + ": " + reason);
  };
  StoreConfig config;
  const std::string backend = store.required_string("backend");
  if (backend == "sqlite") {
    config.backend = Backend::sqlite;
    config.data_dir = resolve_relative_to(store.file(), store.required_string("data_dir"));
  } else if (backend == "postgresql") {
    config.backend = Backend::postgresql;
    config.conninfo = store.required_string("conninfo");
    if (auto problem = check_pg_conninfo(config.conninfo)) fail("conninfo", *problem);
    if (auto password = store.optional_string("password_file")) {
      config.password_file = resolve_relative_to(store.file(), *password);
      try {
        (void)read_secret_key_file(config.password_file);
      } catch (const ConfigError& error) {
        fail("password_file", config.password_file.string() + ": " + error.reason());
      }
    }
    config.connect_timeout = std::chrono::seconds(store.integer_or("connect_timeout_s", 5, 1, 300));
    config.statement_timeout =
        std::chrono::milliseconds(store.integer_or("statement_timeout_ms", 30'000, 100, 3'600'000));
  } else {
    fail("backend", "must be sqlite or postgresql, got '" + backend + "'");
  }
  store.finish();
  return config;
}

PgConnectOptions pg_connect_options(const StoreConfig& config) {
  PgConnectOptions options;
  options.conninfo = config.conninfo;
  if (!config.password_file.empty()) options.password = read_secret_key_file(config.password_file);
  options.connect_timeout = config.connect_timeout;
  options.statement_timeout = config.statement_timeout;
  return options;
}

}  // namespace pse::store

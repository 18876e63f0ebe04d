// Where the broker keeps its state: the `store:` mapping of broker.yaml.
//
//   store:
//     backend: sqlite              # the embedded default: one broker, files in data_dir
//     data_dir: ../var/dev         # audit.db, consents.db, queue.db, subscriptions.db
//
//   store:
//     backend: postgresql          # several brokers share one database (docs/decisions/storage.md)
//     conninfo: "host=db.pse.internal dbname=pse user=pse sslmode=verify-full"
//     password_file: /etc/pse/pg-password   # chmod 600; never in the connection string
//     connect_timeout_s: 5
//     statement_timeout_ms: 30000
#pragma once

#include "base/postgres.hpp"
#include "base/yaml_reader.hpp"

#include <chrono>
#include <filesystem>
#include <string>

namespace pse::store {

enum class Backend { sqlite, postgresql };

struct StoreConfig {
  Backend backend = Backend::sqlite;
  std::filesystem::path data_dir;       ///< sqlite: where the files are; created when missing
  std::string conninfo;                 ///< postgresql: a libpq connection string without password
  std::filesystem::path password_file;  ///< postgresql: empty = none (peer or trust authentication)
  std::chrono::seconds connect_timeout{5};
  std::chrono::milliseconds statement_timeout{30'000};
};

/// Reads the `store:` mapping; relative paths are resolved against the config file. Throws
/// ConfigError with file and line for a missing or bad value, an unknown key, a connection
/// string that cannot be parsed or holds a password, or a password file that is missing or
/// readable by others.
StoreConfig read_store_config(const YAML::Node& store, const std::filesystem::path& file);

/// The libpq settings of a postgresql store, with the password read from its file.
PgConnectOptions pg_connect_options(const StoreConfig& config);

}  // namespace pse::store

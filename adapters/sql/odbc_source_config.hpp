// The YAML configuration of an ODBC source: a live database reached through unixODBC, one
// SELECT with a single `?` parameter, and the typed fields its columns map to.
//
//     connection: "Driver={PostgreSQL Unicode};Server=db.etat-civil.qc;Port=5432;Database=registre;Uid=pse_lecture"
//     password_file: secrets/registre.password   # relative to this file; owner-readable only
//     query: SELECT nas, nom, date_naissance FROM citoyen WHERE nas = ?
//     connections: 4           # the pool: lookups run on at most this many at once (default 4)
//     login_timeout_s: 5       # connecting, then each query, may take at most these (default 5)
//     query_timeout_s: 5
//     on_error: skip_record    # or reject_file (the default)
//     max_rows: 100            # default 1000
//     fields:
//       - {name: nas, required: true}
//       - {name: naissance, column: date_naissance, type: date}
#pragma once

#include "adapters/sql/sql_source_config.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pse::adapters::sql {

/// How to reach a database through ODBC: what a source and a target share.
struct OdbcConnectionSettings {
  std::string connection;  ///< the ODBC connection string, without the password
  std::string password;    ///< from password_file; added to the string as PWD when connecting
  std::chrono::seconds login_timeout{5};
  std::chrono::seconds query_timeout{5};
  std::string name;  ///< for messages: the configuration file's name, never the connection string

  /// What SQLDriverConnect receives.
  std::string connection_string() const;
};

struct OdbcSourceConfig : OdbcConnectionSettings {
  std::string query;
  std::vector<SqlField> fields;
  ErrorPolicy on_error = ErrorPolicy::reject_file;
  std::uint64_t max_rows = 1000;
  std::size_t connections = 4;
  int query_line = 0;
};

/// Loads the YAML. Throws ConfigError (file, line, reason): a password written in the
/// connection string is refused (it belongs in password_file). Does not connect.
OdbcSourceConfig load_odbc_source_config(const std::filesystem::path& file);

/// Reads connection, password_file, login_timeout_s and query_timeout_s. Throws ConfigError.
OdbcConnectionSettings read_connection_settings(YamlMap& map, const std::filesystem::path& file);

}  // namespace pse::adapters::sql

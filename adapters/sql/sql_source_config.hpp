// The YAML configuration of a SQL source: a SQLite database, one SELECT with a :key
// parameter, and the typed fields its columns map to.
//
//     database: etat-civil.db          # relative to this file
//     query: |
//       SELECT nas, nom, date_naissance FROM citoyen WHERE nas = :key
//     on_error: skip_record            # or reject_file (the default)
//     max_rows: 100                    # a key lookup answering more is an error (default 1000)
//     fields:
//       - {name: nas, required: true}
//       - {name: nom}
//       - {name: naissance, column: date_naissance, type: date}
#pragma once

#include "adapters/record/decode_outcome.hpp"
#include "adapters/record/field_spec.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pse {
class YamlMap;
}

namespace pse::adapters::sql {

struct SqlField {
  FieldSpec spec;
  std::string column;  ///< the result column's name; defaults to the field's name
};

struct SqlSourceConfig {
  std::filesystem::path database;
  std::string query;
  std::vector<SqlField> fields;
  ErrorPolicy on_error = ErrorPolicy::reject_file;
  std::uint64_t max_rows = 1000;
  std::filesystem::path config_file;  ///< for messages; empty when built in code
  int query_line = 0;
};

/// Loads the YAML. Throws ConfigError (file, line, reason). Does not open the database.
SqlSourceConfig load_sql_source_config(const std::filesystem::path& file);

/// The `fields` list of a SQL source's YAML (names unique, `column` defaulting to the name),
/// with `date_format` as the default of each. Throws ConfigError.
std::vector<SqlField> read_sql_fields(YamlMap& map);

}  // namespace pse::adapters::sql

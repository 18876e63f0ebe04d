// A table of a live database, through ODBC, as where a subscriber's connector writes the events
// it receives: one row per subject, inserted or updated (an upsert), in the same transaction as
// a row of a ledger table keyed by the event id. A retried delivery finds its event id there and
// changes nothing: exactly once, whatever fails between the write and the acknowledgement.
//
//     connection: "Driver={PostgreSQL Unicode};Server=db.rq;Database=prestations;Uid=pse_ecriture"
//     password_file: secrets/prestations.password
//     table: deces_recus            # [schema.]name
//     key_column: no_sujet          # receives the subject; the upsert's key
//     ledger_table: pse_deliveries  # (event_id VARCHAR(200) PRIMARY KEY, delivered_at VARCHAR(40))
//     login_timeout_s: 5
//     query_timeout_s: 5
//
// The ledger table is the database administrator's to create (its DDL is in the error when it
// is missing): no portable CREATE TABLE IF NOT EXISTS exists across DB2, Oracle and SQL Server.
// Names are plain identifiers, checked, so no configured text becomes SQL of its own.
#pragma once

#include "adapters/sql/odbc_connection.hpp"
#include "adapters/sql/odbc_source_config.hpp"

#include <pse/result.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pse::adapters::sql {

struct OdbcTargetConfig : OdbcConnectionSettings {
  std::string table;
  std::string key_column;
  std::string ledger_table = "pse_deliveries";
};

/// Loads the YAML. Throws ConfigError. Does not connect.
OdbcTargetConfig load_odbc_target_config(const std::filesystem::path& file);

class OdbcTarget {
 public:
  /// Connects and checks the table, its key and `columns`, and the ledger table.
  /// provider_unavailable when the database cannot be reached, malformed_request for a missing
  /// table or column.
  static pse::Result<std::unique_ptr<OdbcTarget>> open(const OdbcTargetConfig& config, std::vector<std::string> columns);

  /// Upserts the row of `key` with `values` (one per column; std::nullopt is NULL), with the
  /// ledger row of `event_id`, in one transaction. Done when written now or before.
  pse::Status write(std::string_view event_id, std::string_view key, const std::vector<std::optional<std::string>>& values);

 private:
  OdbcTarget(OdbcTargetConfig config, std::vector<std::string> columns);
  std::optional<pse::Error> connect();
  pse::Status write_once(std::string_view event_id, std::string_view key,
                         const std::vector<std::optional<std::string>>& values, std::optional<OdbcFailure>& failure);

  OdbcTargetConfig config_;
  std::vector<std::string> columns_;
  std::vector<short> column_types_;  ///< the key's, then each column's
  std::string ledger_insert_, update_, insert_;
  std::mutex mutex_;
  OdbcConnection connection_;
};

/// A plain SQL name: letters, digits and '_', not starting with a digit, at most 64, with one
/// optional "schema." prefix.
bool is_sql_name(std::string_view name);

}  // namespace pse::adapters::sql

// A live database reached through ODBC (unixODBC and the database's driver: psqlODBC, IBM
// DB2, Oracle, SQL Server, SQLite...) as a source of records, looked up by key.
//
// - Read-only as far as the platform can make it: the query must be one SELECT (checked in
//   its text), the driver is asked for a read-only connection, autocommit is off and every
//   lookup ends in a rollback, so that even a query that writes leaves nothing. The database
//   account should still be granted SELECT only.
// - Checked at open, on a first connection: exactly one `?` parameter, every configured column
//   present, no binary column, no floating-point column behind a decimal field. A source that
//   cannot connect at open is refused: the connector does not start against a database it has
//   never seen.
// - A fixed pool of `connections` connections, opened when first needed and reopened after a
//   failure that lost one. Every wait is bounded: connecting by login_timeout_s, each query by
//   query_timeout_s, waiting for a free connection by query_timeout_s. A database that is
//   down answers provider_unavailable at once for a second after each failed attempt, so that
//   an outage does not make every request wait for its own login timeout.
//
// Thread-safe: lookups run concurrently, one per connection.
#pragma once

#include "adapters/sql/keyed_source.hpp"
#include "adapters/sql/odbc_connection.hpp"
#include "adapters/sql/odbc_source_config.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace pse::adapters::sql {

class OdbcSource final : public KeyedSource {
 public:
  /// Connects once and checks the query. Errors: cannot connect (provider_unavailable),
  /// refused query or columns (malformed_request).
  static pse::Result<std::unique_ptr<OdbcSource>> open(const OdbcSourceConfig& config);

  pse::Result<DecodeOutcome> lookup(std::string_view key) override;

  /// Connections open now (tests and metrics).
  std::size_t open_connections();

 private:
  explicit OdbcSource(OdbcSourceConfig config);

  OdbcConnection* acquire();
  void release(OdbcConnection* connection);
  std::optional<OdbcFailure> connect(OdbcConnection& connection);
  /// One execution on an open connection; `failure` set when the database failed.
  pse::Result<DecodeOutcome> run(OdbcConnection& connection, std::string_view key, std::optional<OdbcFailure>& failure);
  pse::Error unavailable(const OdbcFailure& failure, std::string_view what) const;

  OdbcSourceConfig config_;
  std::vector<int> column_of_field_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<OdbcConnection>> pool_;
  std::vector<OdbcConnection*> idle_;
  std::chrono::steady_clock::time_point unreachable_until_{};
  OdbcFailure last_connect_failure_;
};

/// Loads the YAML and opens the source; a refusal becomes a ConfigError naming the file and
/// the line of `query` (or of the file). For start-up code.
std::unique_ptr<OdbcSource> load_odbc_source(const std::filesystem::path& file);

}  // namespace pse::adapters::sql

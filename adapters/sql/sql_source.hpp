// A SQLite database as a source of records, looked up by key.
//
// The connection is opened read-only (SQLITE_OPEN_READONLY, then PRAGMA query_only) with an
// authorizer that permits reading and nothing else, defensive mode on and the schema
// untrusted, so that neither the configured query nor a view or trigger planted in the file
// can write, attach another database or load an extension. The query is checked once, at
// open: a single SELECT, exactly one parameter named :key, every configured column present,
// and a query plan that reaches rows through an index — a lookup that scans a table would
// cost a full pass over a ministry's table for every exchange request.
//
// One SqlSource is one connection and one prepared statement: lookups from several threads
// take turns.
#pragma once

#include "adapters/sql/keyed_source.hpp"
#include "adapters/sql/sql_source_config.hpp"
#include "adapters/sql/sqlite_handle.hpp"

#include <pse/result.hpp>

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace pse::adapters::sql {

class SqlSource final : public KeyedSource {
 public:
  /// Opens and checks. Errors: cannot open (provider_unavailable), refused query (malformed_request).
  static pse::Result<SqlSource> open(const SqlSourceConfig& config);

  pse::Result<DecodeOutcome> lookup(std::string_view key) override;

  /// The query plan's lines, as SQLite explains them (for messages and tests).
  const std::vector<std::string>& query_plan() const noexcept { return query_plan_; }

 private:
  SqlSource() = default;

  SqlSourceConfig config_;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
  SqliteConnection connection_;
  SqliteStatement statement_;
  std::vector<int> column_of_field_;  ///< result column index of each configured field
  std::vector<std::string> query_plan_;
};

/// Loads the YAML and opens the source; a refusal becomes a ConfigError naming the file and
/// the line of `query` (or of the file). For start-up code.
SqlSource load_sql_source(const std::filesystem::path& file);

}  // namespace pse::adapters::sql

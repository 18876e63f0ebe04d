#include "adapters/sql/sql_source.hpp"

#include "adapters/sql/sql_text.hpp"
#include "base/config_error.hpp"

#include <sqlite3.h>

#include <string>

namespace pse::adapters::sql {
namespace {

pse::Error refused(std::string message) { return pse::make_error(Reason::malformed_request, std::move(message)); }

// Reading is all a lookup needs; anything else — writing, ATTACH, PRAGMA, DDL — is denied
// at prepare time, whatever the query or the file's views and triggers contain.
int authorize(void*, int action, const char*, const char* function, const char*, const char*) {
  switch (action) {
    case SQLITE_FUNCTION:
      // Already disabled by SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION; refused here too so that
      // such a query fails at start-up instead of at the first lookup.
      return function != nullptr && std::string_view(function) == "load_extension" ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = sqlite3_column_text(statement, column);
  const int size = sqlite3_column_bytes(statement, column);
  return text != nullptr ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : "";
}

pse::Status check_query_shape(sqlite3* connection, const std::string& query, SqliteStatement& statement) {
  if (!starts_as_select(query)) return refused("query must be a single SELECT");
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(connection, query.c_str(), static_cast<int>(query.size()), &raw, &tail) != SQLITE_OK) {
    return refused(std::string("query refused by SQLite: ") + sqlite3_errmsg(connection));
  }
  statement.reset(raw);
  if (raw == nullptr) return refused("query is empty");
  // Only blanks, comments and semicolons may follow the statement SQLite compiled.
  std::string_view rest = skip_blanks_and_comments(std::string_view(tail));
  while (rest.starts_with(';')) rest = skip_blanks_and_comments(rest.substr(1));
  if (!rest.empty()) return refused("query must be a single statement; found more after the first");
  if (sqlite3_stmt_readonly(raw) == 0 || sqlite3_column_count(raw) == 0) {
    return refused("query must be a single SELECT");
  }
  if (sqlite3_bind_parameter_count(raw) != 1 || sqlite3_bind_parameter_index(raw, ":key") != 1) {
    return refused("query must have exactly one parameter, named :key");
  }
  return pse::Done{};
}

}  // namespace

pse::Result<SqlSource> SqlSource::open(const SqlSourceConfig& config) {
  SqlSource source;
  source.config_ = config;
  sqlite3* raw = nullptr;
  // No SQLITE_OPEN_URI: a path such as "file:x?mode=rw" must stay a file name.
  const int opened = sqlite3_open_v2(config.database.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  source.connection_.reset(raw);
  if (opened != SQLITE_OK) {
    return pse::make_error(Reason::provider_unavailable, "cannot open " + config.database.string() + " read-only: " +
                                                              (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3* connection = source.connection_.get();
  sqlite3_busy_timeout(connection, 2000);
  sqlite3_db_config(connection, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(connection, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(connection, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  if (sqlite3_exec(connection, "PRAGMA query_only = ON", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return pse::make_error(Reason::provider_unavailable, std::string("cannot set query_only: ") + sqlite3_errmsg(connection));
  }
  // Reading the schema here surfaces "not a database" at open rather than at the first lookup.
  if (sqlite3_exec(connection, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return pse::make_error(Reason::provider_unavailable,
                           "cannot read " + config.database.string() + ": " + sqlite3_errmsg(connection));
  }

  // The plan first (EXPLAIN is not a SELECT the authorizer should have to know about).
  SqliteStatement plan;
  {
    sqlite3_stmt* plan_raw = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + config.query;
    if (sqlite3_prepare_v2(connection, explain.c_str(), static_cast<int>(explain.size()), &plan_raw, nullptr) ==
        SQLITE_OK) {
      plan.reset(plan_raw);
    }
  }
  sqlite3_set_authorizer(connection, authorize, nullptr);
  if (auto shape = check_query_shape(connection, config.query, source.statement_); !shape) return shape.error();

  if (!plan) return refused("cannot explain the query plan");
  while (sqlite3_step(plan.get()) == SQLITE_ROW) source.query_plan_.push_back(column_text(plan.get(), 3));
  for (const auto& step : source.query_plan_) {
    if (step.starts_with("SCAN ") && step != "SCAN CONSTANT ROW") {
      return refused("the key lookup scans instead of using an index (query plan: " + step +
                     "); create an index on the column compared with :key");
    }
  }

  sqlite3_stmt* statement = source.statement_.get();
  const int columns = sqlite3_column_count(statement);
  for (const auto& field : config.fields) {
    int found = -1;
    for (int column = 0; column < columns; ++column) {
      if (field.column == sqlite3_column_name(statement, column)) found = column;
    }
    if (found < 0) return refused("query returns no column named '" + field.column + "' (field '" + field.spec.name + "')");
    source.column_of_field_.push_back(found);
  }
  return source;
}

pse::Result<DecodeOutcome> SqlSource::lookup(std::string_view key) {
  std::lock_guard lock(*mutex_);
  sqlite3_stmt* statement = statement_.get();
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  sqlite3_bind_text(statement, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);

  OutcomeBuilder builder(config_.on_error);
  std::uint64_t row = 0;
  bool go_on = true;
  while (go_on) {
    const int stepped = sqlite3_step(statement);
    if (stepped == SQLITE_DONE) break;
    if (stepped != SQLITE_ROW) {
      const std::string message = sqlite3_errmsg(connection_.get());
      sqlite3_reset(statement);
      return pse::make_error(Reason::provider_unavailable, "lookup in " + config_.database.string() + " failed: " + message);
    }
    if (++row > config_.max_rows) {
      sqlite3_reset(statement);
      return pse::make_error(Reason::malformed_request, "lookup returned more than " +
                                                            std::to_string(config_.max_rows) + " rows (max_rows)");
    }
    Record record;
    record.reserve(config_.fields.size());
    for (std::size_t i = 0; i < config_.fields.size() && go_on; ++i) {
      const SqlField& field = config_.fields[i];
      const int column = column_of_field_[i];
      const int type = sqlite3_column_type(statement, column);
      ParsedValue parsed;
      std::string reason;
      if (type == SQLITE_INTEGER && field.spec.type == FieldType::integer) {
        parsed.value = static_cast<std::int64_t>(sqlite3_column_int64(statement, column));
      } else if (type == SQLITE_NULL) {
        parsed = parse_field_value("", field.spec);
      } else if (type == SQLITE_BLOB) {
        reason = "column '" + field.column + "' holds a BLOB, which maps to no field type";
      } else if (type == SQLITE_FLOAT && field.spec.type == FieldType::decimal) {
        // Binary floating point cannot hold 0.10 exactly; money must stay exact end to end.
        reason = "column '" + field.column + "' holds a floating-point value; store exact decimals as TEXT or INTEGER";
      } else {
        const std::string text = column_text(statement, column);
        parsed = parse_field_value(text, field.spec);
        if (parsed.error != nullptr && !text.empty()) reason = std::string(parsed.error) + ": '" + text.substr(0, 40) + "'";
      }
      if (reason.empty() && parsed.error != nullptr) reason = parsed.error;
      if (!reason.empty()) {
        go_on = builder.reject(bad_row_value(config_.database.string(), row, field.spec.name, std::move(reason), key));
        record = Record{};
        break;
      }
      record.add(field.spec.name, std::move(parsed.value));
    }
    if (record.size() == config_.fields.size()) builder.accept(std::move(record));
  }
  sqlite3_reset(statement);
  return std::move(builder).finish();
}

SqlSource load_sql_source(const std::filesystem::path& file) {
  const SqlSourceConfig config = load_sql_source_config(file);
  auto source = SqlSource::open(config);
  if (!source) throw ConfigError(file, config.query_line, source.error().message);
  return std::move(source).value();
}

}  // namespace pse::adapters::sql

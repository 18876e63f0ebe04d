// One ODBC connection (unixODBC) with one prepared statement: what the ODBC source needs of
// the driver manager, behind a small C++ surface.
//
// Text crosses the driver as UTF-16 (the "W" entry points and SQL_C_WCHAR), whatever the
// process locale or the database's character set: a driver then converts to and from the
// database's encoding itself, instead of guessing a client encoding from the locale.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::adapters::sql {

/// A driver's diagnostic: its SQLSTATE and message.
struct OdbcFailure {
  std::string state;    ///< five characters, e.g. "08001"; empty when the driver gave none
  std::string message;  ///< the driver's text (may name the server, never the password)
  bool connection_lost = false;  ///< the connection cannot be used again (class 08, timeouts, or the driver says so)
};

struct OdbcColumn {
  std::string name;
  short sql_type = 0;  ///< SQL_VARCHAR, SQL_INTEGER, SQL_DOUBLE, ...
};

enum class FetchResult { row, done, failed };

/// A statement's parameter, passed as text that the driver converts to `sql_type` (the type of
/// the column it is compared with or written to: SQL_INTEGER, SQL_TYPE_DATE, SQL_DECIMAL...).
struct OdbcParameter {
  std::optional<std::string> text;  ///< std::nullopt: NULL
  short sql_type = -9;              ///< SQL_WVARCHAR
};

class OdbcConnection {
 public:
  OdbcConnection() = default;
  OdbcConnection(OdbcConnection&& other) noexcept;
  OdbcConnection& operator=(OdbcConnection&& other) noexcept;
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;
  ~OdbcConnection();

  /// Connects without prompting, within `login_timeout`, asks the driver for a read-only
  /// connection (unless `read_only` is false) and turns autocommit off: every read ends in a
  /// rollback (end_read()), every write in commit() or rollback().
  std::optional<OdbcFailure> open(const std::string& connection_string, std::chrono::seconds login_timeout,
                                  bool read_only = true);
  bool is_open() const noexcept { return connection_ != nullptr; }
  void close() noexcept;

  /// Prepares `query` for execute(); statements run at most `timeout`.
  std::optional<OdbcFailure> prepare(std::string_view query, std::chrono::seconds timeout);
  /// Of the prepared statement.
  std::optional<OdbcFailure> parameter_count(int& count);
  std::optional<OdbcFailure> columns(std::vector<OdbcColumn>& columns);

  /// Runs the prepared statement with `parameter` as its one text parameter.
  std::optional<OdbcFailure> execute(std::string_view parameter);
  FetchResult fetch();
  /// Column `column` (0-based) of the current row as UTF-8; std::nullopt for NULL. Fails on a
  /// driver error, on text that is not valid UTF-16, and past `max_bytes`.
  std::optional<OdbcFailure> text(int column, std::optional<std::string>& value, std::size_t max_bytes);
  /// Closes the cursor and rolls back, so that nothing a query did stays and no snapshot is held.
  std::optional<OdbcFailure> end_read();
  /// The diagnostic of the last failed call on the statement (after fetch() returned failed).
  OdbcFailure statement_failure();

  /// Runs `sql` once, on a statement of its own, with `parameters`; `rows` gets the number of
  /// rows it changed. For writes inside a transaction that commit() or rollback() ends.
  std::optional<OdbcFailure> run(std::string_view sql, const std::vector<OdbcParameter>& parameters,
                                 std::int64_t* rows = nullptr);
  std::optional<OdbcFailure> commit();
  std::optional<OdbcFailure> rollback();

 private:
  void* connection_ = nullptr;  // SQLHDBC
  void* statement_ = nullptr;   // SQLHSTMT
  std::u16string parameter_;    // bound to the statement: lives as long as an execution
  long parameter_bytes_ = 0;
};

}  // namespace pse::adapters::sql

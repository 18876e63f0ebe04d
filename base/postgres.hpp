// Thin RAII over libpq, shared by every PostgreSQL store of the platform (audit log, consents,
// queues, subscriptions).
//
// Statements are prepared on first use and kept per connection (keyed by their text), so a
// store writes plain SQL and still pays the parse once. Parameters go as text, except bytes
// (bytea) which go as binary; results come back as text. Failures come back as PgError values
// carrying the server's message and SQLSTATE; nothing here throws. A connection that was lost
// says so (`connection_lost`), and reconnect() starts it again with the same settings.
#pragma once

#include "base/sha256.hpp"

#include <pse/expected.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace pse {

struct PgError {
  std::string message;
  std::string sqlstate;          ///< e.g. "23505" (unique_violation); empty when not from the server
  bool connection_lost = false;  ///< the connection is gone: reconnect() before the next call
};

template <typename T>
using PgResult = Expected<T, PgError>;
using PgStatus = PgResult<Ok>;

inline constexpr std::string_view kPgUniqueViolation = "23505";
inline constexpr std::string_view kPgSerializationFailure = "40001";

/// Positional parameters ($1, $2…), built in order.
class PgParams {
 public:
  PgParams& text(std::string_view value);
  PgParams& integer(std::int64_t value);
  PgParams& bytes(std::span<const std::uint8_t> value);
  PgParams& bytes(std::string_view value);
  /// A text[] literal ({"a","b"}), for statements that take a whole batch at once
  /// (`unnest($1::text[])`): one statement, one prepared plan, whatever the batch's size.
  PgParams& text_array(std::span<const std::string> values);
  PgParams& null();

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class PgConnection;
  std::vector<std::string> values_;
  std::vector<int> formats_;  // 0 text, 1 binary
  std::vector<bool> nulls_;
};

/// The rows of one statement. Rows and columns are 0-based.
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(pg_result* result);
  PgRows(PgRows&&) noexcept = default;
  PgRows& operator=(PgRows&&) noexcept = default;

  int size() const;
  bool empty() const { return size() == 0; }
  /// Rows a command touched (INSERT, UPDATE, DELETE).
  std::uint64_t affected() const;

  bool is_null(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  /// A bytea column, decoded.
  std::string bytes(int row, int column) const;
  /// A 32-byte bytea column; std::nullopt for NULL or another size.
  std::optional<Hash> hash(int row, int column) const;

 private:
  friend class PgConnection;
  struct Free {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Free> result_;
};

struct PgConnectOptions {
  /// A libpq connection string ("host=… dbname=… user=…" or a postgresql:// URI).
  std::string conninfo;
  /// From the store's password file; empty = whatever the connection string's method needs
  /// (peer or trust on a local socket).
  std::string password;
  std::chrono::seconds connect_timeout{5};
  /// Each statement is cancelled by the server after this; 0 = no limit.
  std::chrono::milliseconds statement_timeout{30'000};
  std::string application_name = "pse";
  /// false: commits return before their WAL is flushed (synchronous_commit = off), for writes
  /// that may be lost in a crash without harm, such as heartbeats.
  bool durable_commits = true;
};

/// A LISTEN notification.
struct PgNotification {
  std::string channel;
  std::string payload;
};

class PgConnection {
 public:
  static PgResult<PgConnection> connect(const PgConnectOptions& options);

  PgConnection(PgConnection&&) noexcept;
  PgConnection& operator=(PgConnection&&) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  /// One statement, with parameters; its rows (none for a command).
  PgResult<PgRows> query(std::string_view sql, const PgParams& params = {});
  /// One statement, with parameters, rows ignored.
  PgStatus execute(std::string_view sql, const PgParams& params = {});
  /// Several statements separated by semicolons, without parameters (schemas, migrations).
  PgStatus execute_script(std::string_view sql);
  /// Several statements in one round trip, without parameters; the rows of the last one
  /// (e.g. "BEGIN; SELECT … FOR UPDATE"). The first that fails stops the rest.
  PgResult<PgRows> query_script(std::string_view sql);

  /// COPY `target` FROM STDIN in text format: `data` holds the rows, tab-separated, one per
  /// line, escaped as COPY expects (copy_escape_text, copy_bytes). The fastest way to insert
  /// thousands of rows in one round trip.
  PgStatus copy_in(std::string_view target, std::string_view data);

  /// Reads what the server sent without blocking and returns the notifications received.
  PgResult<std::vector<PgNotification>> poll_notifications();
  /// The socket, to wait on with poll() for notifications.
  int socket() const;

  bool is_open() const;
  /// A fresh session with the same settings (prepared statements are prepared again).
  PgStatus reconnect();

 private:
  struct Free {
    void operator()(pg_conn* connection) const;
  };
  PgConnection(std::unique_ptr<pg_conn, Free> connection, PgConnectOptions options);
  PgError error_of(pg_result* result) const;
  PgResult<PgRows> check(pg_result* result);
  PgResult<std::string> prepared_name(std::string_view sql, int parameter_count);

  std::unique_ptr<pg_conn, Free> connection_;
  PgConnectOptions options_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
};

/// The value as a COPY text-format field (backslash, tab, newline and carriage return escaped).
std::string copy_escape_text(std::string_view value);
/// Bytes as a COPY text-format bytea field ("\\x…").
std::string copy_bytes(std::span<const std::uint8_t> value);

/// What is wrong with a connection string (it cannot be parsed, or it holds a password, which
/// belongs in the password file); std::nullopt when it is usable.
std::optional<std::string> check_pg_conninfo(const std::string& conninfo);

}  // namespace pse

// Thin RAII over the SQLite C API: a connection and its prepared statements, shared by every
// SQLite store of the platform (audit log, consents, queues, subscriptions).
//
// Failures come back as SqliteError values carrying SQLite's message; nothing here throws.
// Each store turns them into its own error (store_failed) at its boundary.
#pragma once

#include "base/sha256.hpp"

#include <pse/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace pse {

struct SqliteError {
  std::string message;
};

template <typename T>
using SqliteResult = Expected<T, SqliteError>;

using SqliteStatus = SqliteResult<Ok>;

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* database, sqlite3_stmt* statement) : database_(database), statement_(statement) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite.
  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind_blob(int index, std::span<const std::uint8_t> bytes);
  void bind_null(int index);

  /// true: a row is available; false: done.
  SqliteResult<bool> step();
  /// Runs to completion (for statements that return no rows).
  SqliteStatus run();
  void reset();

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  /// A 32-byte blob column; std::nullopt for NULL or another size.
  std::optional<Hash> hash(int column) const;

 private:
  sqlite3* database_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
};

/// How long a connection waits for another's lock before SQLITE_BUSY.
inline constexpr int kBusyTimeoutMs = 5000;

class SqliteDatabase {
 public:
  enum class Mode { read_write_create, read_only };

  static SqliteResult<SqliteDatabase> open(const std::filesystem::path& file, Mode mode);

  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  /// Runs one or more statements that return nothing.
  SqliteStatus execute(std::string_view sql);
  SqliteResult<SqliteStatement> prepare(std::string_view sql);
  std::string last_error() const;
  /// True while a transaction is open (BEGIN without its COMMIT or ROLLBACK).
  bool in_transaction() const;
  /// Rows the last INSERT, UPDATE or DELETE changed.
  std::uint64_t changes() const;
  /// The connection itself, for the C API calls this wrapper does not cover (WAL hooks).
  sqlite3* handle() const { return database_; }

 private:
  explicit SqliteDatabase(sqlite3* database) : database_(database) {}
  sqlite3* database_ = nullptr;
};

}  // namespace pse

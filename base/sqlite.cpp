#include "base/sqlite.hpp"

#include <sqlite3.h>

#include <cstring>
#include <utility>

namespace pse {
namespace {

SqliteError sqlite_error(sqlite3* database, std::string_view what) {
  return SqliteError{std::string(what) + ": " + (database ? sqlite3_errmsg(database) : "out of memory")};
}

}  // namespace

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)),
      statement_(std::exchange(other.statement_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    database_ = std::exchange(other.database_, nullptr);
    statement_ = std::exchange(other.statement_, nullptr);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }

void SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void SqliteStatement::bind_blob(int index, std::span<const std::uint8_t> bytes) {
  sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}

void SqliteStatement::bind_null(int index) { sqlite3_bind_null(statement_, index); }

SqliteResult<bool> SqliteStatement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  return sqlite_error(database_, "SQLite step failed");
}

SqliteStatus SqliteStatement::run() {
  auto stepped = step();
  reset();
  if (!stepped) return stepped.error();
  return Ok{};
}

void SqliteStatement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

std::string SqliteStatement::text(int column) const {
  const auto* data = sqlite3_column_text(statement_, column);
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
  return data ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

std::string SqliteStatement::blob(int column) const {
  const void* data = sqlite3_column_blob(statement_, column);
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
  return data ? std::string(static_cast<const char*>(data), size) : std::string();
}

std::optional<Hash> SqliteStatement::hash(int column) const {
  if (sqlite3_column_type(statement_, column) != SQLITE_BLOB) return std::nullopt;
  const void* data = sqlite3_column_blob(statement_, column);
  if (sqlite3_column_bytes(statement_, column) != 32 || data == nullptr) return std::nullopt;
  Hash out{};
  std::memcpy(out.data(), data, out.size());
  return out;
}

SqliteResult<SqliteDatabase> SqliteDatabase::open(const std::filesystem::path& file, Mode mode) {
  sqlite3* database = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (each store says how).
  const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int status = sqlite3_open_v2(file.c_str(), &database, flags, nullptr);
  if (status != SQLITE_OK) {
    SqliteError error = sqlite_error(database, "cannot open " + file.string());
    sqlite3_close(database);
    return error;
  }
  sqlite3_extended_result_codes(database, 1);
  sqlite3_busy_timeout(database, kBusyTimeoutMs);
  return SqliteDatabase(database);
}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close(database_);
    database_ = std::exchange(other.database_, nullptr);
  }
  return *this;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(database_); }

std::uint64_t SqliteDatabase::changes() const { return static_cast<std::uint64_t>(sqlite3_changes64(database_)); }

SqliteStatus SqliteDatabase::execute(std::string_view sql) {
  const std::string statement(sql);
  char* message = nullptr;
  if (sqlite3_exec(database_, statement.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return SqliteError{"SQLite: " + text};
  }
  return Ok{};
}

SqliteResult<SqliteStatement> SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(database_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &statement, nullptr) != SQLITE_OK) {
    return sqlite_error(database_, "SQLite prepare failed");
  }
  return SqliteStatement(database_, statement);
}

std::string SqliteDatabase::last_error() const { return sqlite3_errmsg(database_); }

bool SqliteDatabase::in_transaction() const { return sqlite3_get_autocommit(database_) == 0; }

}  // namespace pse

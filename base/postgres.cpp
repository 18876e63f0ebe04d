#include "base/postgres.hpp"

#include "base/hex.hpp"
#include "base/log.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

namespace pse {

// ---- parameters ----

PgParams& PgParams::text(std::string_view value) {
  values_.emplace_back(value);
  formats_.push_back(0);
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::integer(std::int64_t value) { return text(std::to_string(value)); }

PgParams& PgParams::bytes(std::span<const std::uint8_t> value) {
  values_.emplace_back(reinterpret_cast<const char*>(value.data()), value.size());
  formats_.push_back(1);
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::bytes(std::string_view value) { return bytes(as_bytes(value)); }

PgParams& PgParams::text_array(std::span<const std::string> values) {
  std::string literal = "{";
  for (const std::string& value : values) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return text(literal);
}

PgParams& PgParams::null() {
  values_.emplace_back();
  formats_.push_back(0);
  nulls_.push_back(true);
  return *this;
}

// ---- rows ----

void PgRows::Free::operator()(pg_result* result) const { PQclear(result); }

PgRows::PgRows(pg_result* result) : result_(result) {}

int PgRows::size() const { return result_ ? PQntuples(result_.get()) : 0; }

std::uint64_t PgRows::affected() const {
  if (!result_) return 0;
  const char* text = PQcmdTuples(result_.get());
  std::uint64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

bool PgRows::is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }

std::string_view PgRows::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::int64_t PgRows::integer(int row, int column) const {
  const std::string_view value = text(row, column);
  std::int64_t number = 0;
  std::from_chars(value.data(), value.data() + value.size(), number);
  return number;
}

std::string PgRows::bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* decoded =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (decoded == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(decoded), length);
  PQfreemem(decoded);
  return out;
}

std::optional<Hash> PgRows::hash(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  const std::string value = bytes(row, column);
  if (value.size() != Hash{}.size()) return std::nullopt;
  Hash hash{};
  std::memcpy(hash.data(), value.data(), hash.size());
  return hash;
}

// ---- connection ----

void PgConnection::Free::operator()(pg_conn* connection) const { PQfinish(connection); }

namespace {

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

pg_conn* open_connection(const PgConnectOptions& options) {
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Later keywords win over earlier ones, and the expanded connection string sits between:
  // the defaults first, then what the operator wrote, then the password from its file.
  std::vector<const char*> keywords{"connect_timeout", "application_name", "keepalives", "dbname"};
  std::vector<const char*> values{timeout.c_str(), options.application_name.c_str(), "1",
                                  options.conninfo.c_str()};
  if (!options.password.empty()) {
    keywords.push_back("password");
    values.push_back(options.password.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  return PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
}

}  // namespace

PgConnection::PgConnection(std::unique_ptr<pg_conn, Free> connection, PgConnectOptions options)
    : connection_(std::move(connection)), options_(std::move(options)) {}

PgConnection::PgConnection(PgConnection&&) noexcept = default;
PgConnection& PgConnection::operator=(PgConnection&&) noexcept = default;
PgConnection::~PgConnection() = default;

PgResult<PgConnection> PgConnection::connect(const PgConnectOptions& options) {
  PgConnection connection(std::unique_ptr<pg_conn, Free>(open_connection(options)), options);
  if (!connection.connection_) return PgError{"cannot allocate a PostgreSQL connection", "", true};
  if (PQstatus(connection.connection_.get()) != CONNECTION_OK) {
    return PgError{"cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(connection.connection_.get())), "",
                   true};
  }
  // The server's notices and warnings go to the log, not to standard error.
  PQsetNoticeProcessor(
      connection.connection_.get(),
      [](void*, const char* message) { log::warn("postgresql", {{"detail", trimmed(message)}}); }, nullptr);
  // Notices ("already exists, skipping") are not for the broker's log.
  std::string timeout = "SET client_min_messages = warning; SET statement_timeout = " +
                        std::to_string(options.statement_timeout.count());
  if (!options.durable_commits) timeout += "; SET synchronous_commit = off";
  if (auto set = connection.execute_script(timeout); !set) return set.error();
  return connection;
}

PgStatus PgConnection::reconnect() {
  prepared_.clear();
  auto fresh = connect(options_);
  if (!fresh) return fresh.error();
  *this = std::move(fresh.value());
  return Ok{};
}

bool PgConnection::is_open() const { return connection_ && PQstatus(connection_.get()) == CONNECTION_OK; }

int PgConnection::socket() const { return connection_ ? PQsocket(connection_.get()) : -1; }

PgError PgConnection::error_of(pg_result* result) const {
  PgError error;
  const char* message = result != nullptr ? PQresultErrorMessage(result) : nullptr;
  error.message = trimmed(message != nullptr && *message != '\0' ? message : PQerrorMessage(connection_.get()));
  if (result != nullptr) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) error.sqlstate = state;
  }
  // Class 08 is connection exceptions; 57P0x the server shutting down or crashing.
  error.connection_lost = PQstatus(connection_.get()) != CONNECTION_OK || error.sqlstate.starts_with("08") ||
                          error.sqlstate.starts_with("57P0");
  if (error.message.empty()) error.message = "PostgreSQL call failed";
  return error;
}

PgResult<PgRows> PgConnection::check(pg_result* result) {
  PgRows rows(result);
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  return error_of(result);
}

PgResult<std::string> PgConnection::prepared_name(std::string_view sql, int parameter_count) {
  const std::string key(sql);
  if (auto found = prepared_.find(key); found != prepared_.end()) return found->second;
  std::string name = "pse_" + std::to_string(prepared_.size());
  auto prepared = check(PQprepare(connection_.get(), name.c_str(), key.c_str(), parameter_count, nullptr));
  if (!prepared) return prepared.error();
  prepared_.emplace(key, name);
  return name;
}

PgResult<PgRows> PgConnection::query(std::string_view sql, const PgParams& params) {
  if (!connection_) return PgError{"not connected", "", true};
  auto name = prepared_name(sql, params.size());
  if (!name) return name.error();
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(params.values_.size());
  for (std::size_t i = 0; i < params.values_.size(); ++i) {
    values.push_back(params.nulls_[i] ? nullptr : params.values_[i].data());
    lengths.push_back(static_cast<int>(params.values_[i].size()));
  }
  return check(PQexecPrepared(connection_.get(), name.value().c_str(), params.size(), values.data(), lengths.data(),
                              params.formats_.data(), /*resultFormat=*/0));
}

PgStatus PgConnection::execute(std::string_view sql, const PgParams& params) {
  auto rows = query(sql, params);
  if (!rows) return rows.error();
  return Ok{};
}

PgStatus PgConnection::execute_script(std::string_view sql) {
  auto result = query_script(sql);
  if (!result) return result.error();
  return Ok{};
}

PgResult<PgRows> PgConnection::query_script(std::string_view sql) {
  if (!connection_) return PgError{"not connected", "", true};
  return check(PQexec(connection_.get(), std::string(sql).c_str()));
}

PgStatus PgConnection::copy_in(std::string_view target, std::string_view data) {
  if (!connection_) return PgError{"not connected", "", true};
  const std::string sql = "COPY " + std::string(target) + " FROM STDIN";
  PgRows started(PQexec(connection_.get(), sql.c_str()));
  if (PQresultStatus(started.result_.get()) != PGRES_COPY_IN) return error_of(started.result_.get());
  bool sent = PQputCopyData(connection_.get(), data.data(), static_cast<int>(data.size())) == 1;
  sent = PQputCopyEnd(connection_.get(), sent ? nullptr : "client failed to send") == 1 && sent;
  // The COPY's own outcome, then nothing more (libpq requires reading results to the end).
  PgResult<PgRows> outcome = check(PQgetResult(connection_.get()));
  while (pg_result* rest = PQgetResult(connection_.get())) PQclear(rest);
  if (!outcome) return outcome.error();
  if (!sent) return error_of(nullptr);
  return Ok{};
}

PgResult<std::vector<PgNotification>> PgConnection::poll_notifications() {
  if (!connection_) return PgError{"not connected", "", true};
  if (PQconsumeInput(connection_.get()) == 0) return error_of(nullptr);
  std::vector<PgNotification> notifications;
  while (PGnotify* notify = PQnotifies(connection_.get())) {
    notifications.push_back({notify->relname, notify->extra != nullptr ? notify->extra : ""});
    PQfreemem(notify);
  }
  return notifications;
}

// ---- COPY text format ----

std::string copy_escape_text(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string copy_bytes(std::span<const std::uint8_t> value) {
  // The bytea text form is \x<hex>; COPY then needs its backslash doubled.
  return "\\\\x" + to_hex(value);
}

std::optional<std::string> check_pg_conninfo(const std::string& conninfo) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &message);
  if (options == nullptr) {
    std::string reason = message != nullptr ? trimmed(message) : "cannot be parsed";
    PQfreemem(message);
    return "invalid connection string: " + reason;
  }
  std::optional<std::string> problem;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::strcmp(option->keyword, "password") == 0 && option->val != nullptr && *option->val != '\0') {
      problem = "the connection string holds a password; put it in password_file (chmod 600) instead";
    }
  }
  PQconninfoFree(options);
  return problem;
}

}  // namespace pse

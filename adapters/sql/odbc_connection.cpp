#include "adapters/sql/odbc_connection.hpp"

#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>

#include <cstdint>
#include <utility>

namespace pse::adapters::sql {
namespace {

static_assert(sizeof(SQLWCHAR) == sizeof(char16_t), "unixODBC's SQLWCHAR is UTF-16");

// One environment for the process: the driver manager's handles are thread-safe.
SQLHENV environment() {
  static SQLHENV handle = [] {
    SQLHENV env = SQL_NULL_HENV;
    if (SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) {
      SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    }
    return env;
  }();
  return handle;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Unpaired surrogates make it fail: a value is never silently altered.
bool append_from_utf16(std::string& out, const char16_t* text, std::size_t length) {
  for (std::size_t i = 0; i < length; ++i) {
    std::uint32_t code = text[i];
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (i + 1 >= length || text[i + 1] < 0xDC00 || text[i + 1] > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (static_cast<std::uint32_t>(text[i + 1]) - 0xDC00);
      ++i;
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      return false;
    }
    append_utf8(out, code);
  }
  return true;
}

// The configured text is UTF-8 (YAML); a malformed sequence becomes U+FFFD, which the
// database then fails to match rather than matching something else.
std::u16string to_utf16(std::string_view utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    std::uint32_t code = 0xFFFD;
    std::size_t length = 1;
    if (byte < 0x80) {
      code = byte;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07;
    }
    if (length > 1) {
      if (i + length > utf8.size()) {
        code = 0xFFFD;
        length = 1;
      } else {
        for (std::size_t k = 1; k < length; ++k) {
          const auto next = static_cast<unsigned char>(utf8[i + k]);
          if ((next & 0xC0) != 0x80) {
            code = 0xFFFD;
            length = 1;
            break;
          }
          code = (code << 6) | (next & 0x3F);
        }
      }
    } else if (byte >= 0x80) {
      code = 0xFFFD;
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = 0xFFFD;
    if (code >= 0x10000) {
      code -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (code >> 10));
      out += static_cast<char16_t>(0xDC00 + (code & 0x3FF));
    } else {
      out += static_cast<char16_t>(code);
    }
    i += length;
  }
  return out;
}

SQLWCHAR* wide(std::u16string& text) { return reinterpret_cast<SQLWCHAR*>(text.data()); }

OdbcFailure diagnose(SQLSMALLINT type, SQLHANDLE handle, SQLHDBC connection) {
  OdbcFailure failure;
  for (SQLSMALLINT record = 1; record <= 3; ++record) {
    SQLWCHAR state[6] = {};
    SQLINTEGER native = 0;
    SQLWCHAR message[1024] = {};
    SQLSMALLINT length = 0;
    if (!SQL_SUCCEEDED(SQLGetDiagRecW(type, handle, record, state, &native, message, 1024, &length))) break;
    if (failure.state.empty()) (void)append_from_utf16(failure.state, reinterpret_cast<const char16_t*>(state), 5);
    std::string text;
    const auto chars = static_cast<std::size_t>(length < 1023 ? length : 1023);
    if (!append_from_utf16(text, reinterpret_cast<const char16_t*>(message), chars)) text = "(undecodable message)";
    for (char& c : text) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == ';')) text.pop_back();
    if (text.empty()) continue;
    if (!failure.message.empty()) failure.message += "; ";
    failure.message += text;
  }
  if (failure.message.empty()) failure.message = "the ODBC driver reported a failure without a diagnostic";
  const std::string_view state = failure.state;
  failure.connection_lost = state.starts_with("08") || state.starts_with("HYT") || state.starts_with("57P");
  if (!failure.connection_lost && connection != SQL_NULL_HDBC) {
    SQLUINTEGER dead = SQL_CD_FALSE;
    if (SQL_SUCCEEDED(SQLGetConnectAttr(connection, SQL_ATTR_CONNECTION_DEAD, &dead, 0, nullptr))) {
      failure.connection_lost = dead == SQL_CD_TRUE;
    }
  }
  return failure;
}

}  // namespace

OdbcConnection::OdbcConnection(OdbcConnection&& other) noexcept { *this = std::move(other); }

OdbcConnection& OdbcConnection::operator=(OdbcConnection&& other) noexcept {
  if (this != &other) {
    close();
    connection_ = std::exchange(other.connection_, nullptr);
    statement_ = std::exchange(other.statement_, nullptr);
    parameter_ = std::move(other.parameter_);
    parameter_bytes_ = other.parameter_bytes_;
  }
  return *this;
}

OdbcConnection::~OdbcConnection() { close(); }

void OdbcConnection::close() noexcept {
  if (statement_ != nullptr) SQLFreeHandle(SQL_HANDLE_STMT, statement_);
  statement_ = nullptr;
  if (connection_ != nullptr) {
    SQLDisconnect(connection_);
    SQLFreeHandle(SQL_HANDLE_DBC, connection_);
  }
  connection_ = nullptr;
}

std::optional<OdbcFailure> OdbcConnection::open(const std::string& connection_string, std::chrono::seconds login_timeout,
                                                bool read_only) {
  close();
  SQLHENV env = environment();
  if (env == SQL_NULL_HENV) return OdbcFailure{"", "cannot allocate an ODBC environment", true};
  SQLHDBC connection = SQL_NULL_HDBC;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &connection))) {
    return diagnose(SQL_HANDLE_ENV, env, SQL_NULL_HDBC);
  }
  const auto seconds = static_cast<SQLULEN>(login_timeout.count());
  SQLSetConnectAttr(connection, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(seconds), 0);
  SQLSetConnectAttr(connection, SQL_ATTR_CONNECTION_TIMEOUT, reinterpret_cast<SQLPOINTER>(seconds), 0);
  std::u16string text = to_utf16(connection_string);
  const SQLRETURN connected = SQLDriverConnectW(connection, nullptr, wide(text), static_cast<SQLSMALLINT>(text.size()),
                                                nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(connected)) {
    OdbcFailure failure = diagnose(SQL_HANDLE_DBC, connection, SQL_NULL_HDBC);
    failure.connection_lost = true;
    SQLFreeHandle(SQL_HANDLE_DBC, connection);
    return failure;
  }
  connection_ = connection;
  // A hint many drivers ignore; end_read()'s rollback is what undoes a write.
  if (read_only) SQLSetConnectAttr(connection, SQL_ATTR_ACCESS_MODE, reinterpret_cast<SQLPOINTER>(SQL_MODE_READ_ONLY), 0);
  if (!SQL_SUCCEEDED(
          SQLSetConnectAttr(connection, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0))) {
    OdbcFailure failure = diagnose(SQL_HANDLE_DBC, connection, connection);
    failure.message = "the driver cannot turn autocommit off: " + failure.message;
    failure.connection_lost = true;
    close();
    return failure;
  }
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::prepare(std::string_view query, std::chrono::seconds timeout) {
  if (statement_ != nullptr) SQLFreeHandle(SQL_HANDLE_STMT, statement_);
  statement_ = nullptr;
  SQLHSTMT statement = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, connection_, &statement))) {
    return diagnose(SQL_HANDLE_DBC, connection_, connection_);
  }
  statement_ = statement;
  SQLSetStmtAttr(statement, SQL_ATTR_QUERY_TIMEOUT, reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(timeout.count())), 0);
  std::u16string text = to_utf16(query);
  if (!SQL_SUCCEEDED(SQLPrepareW(statement, wide(text), static_cast<SQLINTEGER>(text.size())))) {
    return statement_failure();
  }
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::parameter_count(int& count) {
  SQLSMALLINT parameters = 0;
  if (!SQL_SUCCEEDED(SQLNumParams(statement_, &parameters))) return statement_failure();
  count = parameters;
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::columns(std::vector<OdbcColumn>& columns) {
  SQLSMALLINT count = 0;
  if (!SQL_SUCCEEDED(SQLNumResultCols(statement_, &count))) return statement_failure();
  columns.clear();
  for (SQLUSMALLINT column = 1; column <= static_cast<SQLUSMALLINT>(count); ++column) {
    SQLWCHAR name[256] = {};
    SQLSMALLINT name_length = 0;
    SQLSMALLINT type = 0;
    SQLULEN size = 0;
    SQLSMALLINT digits = 0;
    SQLSMALLINT nullable = 0;
    if (!SQL_SUCCEEDED(SQLDescribeColW(statement_, column, name, 256, &name_length, &type, &size, &digits, &nullable))) {
      return statement_failure();
    }
    OdbcColumn described;
    const auto chars = static_cast<std::size_t>(name_length < 255 ? name_length : 255);
    (void)append_from_utf16(described.name, reinterpret_cast<const char16_t*>(name), chars);
    described.sql_type = type;
    columns.push_back(std::move(described));
  }
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::execute(std::string_view parameter) {
  parameter_ = to_utf16(parameter);
  parameter_bytes_ = static_cast<long>(parameter_.size() * sizeof(char16_t));
  static_assert(sizeof(SQLLEN) == sizeof(parameter_bytes_));
  auto* indicator = reinterpret_cast<SQLLEN*>(&parameter_bytes_);
  const SQLULEN column_size = parameter_.empty() ? 1 : parameter_.size();
  if (!SQL_SUCCEEDED(SQLBindParameter(statement_, 1, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR, column_size, 0,
                                      wide(parameter_), parameter_bytes_, indicator))) {
    return statement_failure();
  }
  const SQLRETURN executed = SQLExecute(statement_);
  if (!SQL_SUCCEEDED(executed) && executed != SQL_NO_DATA) return statement_failure();
  return std::nullopt;
}

FetchResult OdbcConnection::fetch() {
  const SQLRETURN fetched = SQLFetch(statement_);
  if (fetched == SQL_NO_DATA) return FetchResult::done;
  return SQL_SUCCEEDED(fetched) ? FetchResult::row : FetchResult::failed;
}

std::optional<OdbcFailure> OdbcConnection::text(int column, std::optional<std::string>& value, std::size_t max_bytes) {
  value.reset();
  std::u16string collected;
  char16_t chunk[1024];
  while (true) {
    SQLLEN indicator = 0;
    const SQLRETURN got = SQLGetData(statement_, static_cast<SQLUSMALLINT>(column + 1), SQL_C_WCHAR, chunk,
                                     sizeof chunk, &indicator);
    if (got == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(got)) return statement_failure();
    if (indicator == SQL_NULL_DATA) return std::nullopt;
    // A full chunk ends in its terminator; a last one holds `indicator` bytes.
    const std::size_t capacity = sizeof chunk / sizeof(char16_t) - 1;
    const bool truncated = got == SQL_SUCCESS_WITH_INFO &&
                           (indicator == SQL_NO_TOTAL || static_cast<std::size_t>(indicator) / sizeof(char16_t) > capacity);
    const std::size_t chars = truncated ? capacity : static_cast<std::size_t>(indicator) / sizeof(char16_t);
    collected.append(chunk, chars);
    if (collected.size() > max_bytes) {  // each UTF-16 unit is at least one byte of UTF-8
      return OdbcFailure{"", "the value is longer than " + std::to_string(max_bytes) + " bytes", false};
    }
    if (!truncated) break;
  }
  std::string utf8;
  if (!append_from_utf16(utf8, collected.data(), collected.size())) {
    return OdbcFailure{"", "the value is not valid Unicode text", false};
  }
  if (utf8.size() > max_bytes) {
    return OdbcFailure{"", "the value is longer than " + std::to_string(max_bytes) + " bytes", false};
  }
  value = std::move(utf8);
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::end_read() {
  if (statement_ != nullptr) SQLFreeStmt(statement_, SQL_CLOSE);
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, connection_, SQL_ROLLBACK))) {
    return diagnose(SQL_HANDLE_DBC, connection_, connection_);
  }
  return std::nullopt;
}

OdbcFailure OdbcConnection::statement_failure() { return diagnose(SQL_HANDLE_STMT, statement_, connection_); }

std::optional<OdbcFailure> OdbcConnection::run(std::string_view sql, const std::vector<OdbcParameter>& parameters,
                                               std::int64_t* rows) {
  SQLHSTMT statement = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, connection_, &statement))) {
    return diagnose(SQL_HANDLE_DBC, connection_, connection_);
  }
  struct Free {
    SQLHSTMT handle;
    ~Free() { SQLFreeHandle(SQL_HANDLE_STMT, handle); }
  } free_statement{statement};
  // Bound buffers must stay put until SQLExecDirect returns.
  std::vector<std::u16string> texts;
  std::vector<SQLLEN> lengths(parameters.size());
  texts.reserve(parameters.size());
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const OdbcParameter& parameter = parameters[i];
    texts.push_back(parameter.text ? to_utf16(*parameter.text) : std::u16string());
    lengths[i] = parameter.text ? static_cast<SQLLEN>(texts[i].size() * sizeof(char16_t)) : SQL_NULL_DATA;
    const SQLULEN size = texts[i].empty() ? 1 : texts[i].size();
    if (!SQL_SUCCEEDED(SQLBindParameter(statement, static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT, SQL_C_WCHAR,
                                        parameter.sql_type, size, 0, wide(texts[i]),
                                        static_cast<SQLLEN>(texts[i].size() * sizeof(char16_t)), &lengths[i]))) {
      return diagnose(SQL_HANDLE_STMT, statement, connection_);
    }
  }
  std::u16string text = to_utf16(sql);
  const SQLRETURN executed = SQLExecDirectW(statement, wide(text), static_cast<SQLINTEGER>(text.size()));
  if (!SQL_SUCCEEDED(executed) && executed != SQL_NO_DATA) return diagnose(SQL_HANDLE_STMT, statement, connection_);
  if (rows != nullptr) {
    SQLLEN changed = 0;
    if (executed != SQL_NO_DATA && !SQL_SUCCEEDED(SQLRowCount(statement, &changed))) {
      return diagnose(SQL_HANDLE_STMT, statement, connection_);
    }
    *rows = executed == SQL_NO_DATA ? 0 : changed;
  }
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::commit() {
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, connection_, SQL_COMMIT))) return diagnose(SQL_HANDLE_DBC, connection_, connection_);
  return std::nullopt;
}

std::optional<OdbcFailure> OdbcConnection::rollback() {
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, connection_, SQL_ROLLBACK))) return diagnose(SQL_HANDLE_DBC, connection_, connection_);
  return std::nullopt;
}

}  // namespace pse::adapters::sql

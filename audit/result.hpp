// Errors as values for the audit log's hot path.
//
// Appends, proofs and reads report failure through Result<T> instead of exceptions: the broker
// calls them on every exchange and must turn a failure into a precise refusal, never a crash.
// Exceptions are kept for open-time problems (bad configuration, unreadable keys), where
// ConfigError gives the file and the reason.
#pragma once

#include "base/postgres.hpp"
#include "base/sqlite.hpp"

#include <pse/expected.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pse::audit {

enum class AuditErrorCode {
  invalid_entry,    ///< the record cannot be encoded (e.g. a field name with a comma)
  overloaded,       ///< the append queue is full; the caller should refuse and retry later
  share_exceeded,   ///< the requesting organisation holds its whole share of the queue; others still append
  closed,           ///< the log is closing or closed
  store_failed,     ///< the store could not commit; the log refuses appends until it commits again
  not_found,        ///< no such entry or tree head
  invalid_argument, ///< e.g. a proof asked for a tree size beyond the log
  corrupt,          ///< stored data does not decode or does not match its signed tree head
};

std::string_view to_string(AuditErrorCode code) noexcept;

struct AuditError {
  AuditError() = default;
  AuditError(AuditErrorCode error_code, std::string text) : code(error_code), message(std::move(text)) {}
  /// SQLite failing is the store failing.
  AuditError(const SqliteError& error) : code(AuditErrorCode::store_failed), message(error.message) {}  // NOLINT
  /// So is PostgreSQL.
  AuditError(const PgError& error) : code(AuditErrorCode::store_failed), message(error.message) {}  // NOLINT

  AuditErrorCode code = AuditErrorCode::store_failed;
  std::string message;
};

/// Either a value or an AuditError. `Result<void>` is spelled `Status`.
template <typename T>
using Result = pse::Expected<T, AuditError>;

using pse::Ok;
using Status = Result<Ok>;

inline AuditError make_error(AuditErrorCode code, std::string message) {
  return AuditError{code, std::move(message)};
}

}  // namespace pse::audit

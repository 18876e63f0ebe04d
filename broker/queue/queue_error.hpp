// Errors as values for the delivery queue.
//
// Every operation on the publish and delivery paths reports failure as a QueueError: the broker
// turns each code into a precise answer or a metric, never a crash. Exceptions are kept for
// open time (bad keys, unusable database), where pse::ConfigError names the file.
//
// Messages never contain payload bytes: only ids, sizes, key ids and the database's own text.
#pragma once

#include "base/postgres.hpp"

#include <pse/expected.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace pse::queue {

enum class QueueErrorCode {
  invalid_argument,   ///< an empty or oversized id, publisher, key or subscriber
  payload_too_large,  ///< a payload above QueueOptions::max_payload_bytes
  overloaded,         ///< too many operations (or bytes) wait for the writer; retry later
  closed,             ///< the queue is closing or closed
  store_failed,       ///< a commit failed; the queue refuses everything after it (restart)
  not_in_flight,      ///< ack/nack of a delivery that is not in flight for that subscriber
  not_found,          ///< no such dead letter
  unknown_key,        ///< a row was sealed with a key id the keyring does not hold
  decrypt_failed,     ///< a row's authentication tag does not verify (tampered or swapped)
};

std::string_view to_string(QueueErrorCode code) noexcept;

struct QueueError {
  QueueError() = default;
  QueueError(QueueErrorCode error_code, std::string text) : code(error_code), message(std::move(text)) {}
  /// PostgreSQL failing is the store failing.
  QueueError(const PgError& error) : message(error.message) {}  // NOLINT(google-explicit-constructor)

  QueueErrorCode code = QueueErrorCode::store_failed;
  std::string message;
};

/// Either a value or a QueueError. `Result<void>` is spelled `Status`.
template <typename T>
using Result = pse::Expected<T, QueueError>;

using pse::Ok;
using Status = Result<Ok>;

inline QueueError make_error(QueueErrorCode code, std::string message) {
  return QueueError{code, std::move(message)};
}

}  // namespace pse::queue

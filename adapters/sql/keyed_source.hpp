// A source of records looked up by key (a SQLite file, a database through ODBC).
#pragma once

#include "adapters/record/decode_outcome.hpp"

#include <pse/result.hpp>

#include <string_view>

namespace pse::adapters::sql {

/// A row's value that maps to no field: the reject names the source, the row and the field,
/// and keeps the key (bounded), never the row's other values.
inline DecodeError bad_row_value(std::string source, std::uint64_t row, std::string field, std::string reason,
                                 std::string_view key) {
  DecodeError error;
  error.file = std::move(source);
  error.record = row;
  error.field = std::move(field);
  error.reason = std::move(reason);
  error.raw = "key=" + std::string(key.substr(0, 200));
  return error;
}

class KeyedSource {
 public:
  virtual ~KeyedSource() = default;
  /// The records whose row matches `key`, under the configured error policy. A bad value in a
  /// row is in the outcome; a failing database or more than max_rows rows is an Error.
  virtual pse::Result<DecodeOutcome> lookup(std::string_view key) = 0;
};

}  // namespace pse::adapters::sql

// A source of records looked up by key (a SQLite file, a database through ODBC).
#pragma once

#include "adapters/record/decode_outcome.hpp"

#include <pse/result.hpp>

#include <string_view>

namespace pse::adapters::sql {

class KeyedSource {
 public:
  virtual ~KeyedSource() = default;
  /// The records whose row matches `key`, under the configured error policy. A bad value in a
  /// row is in the outcome; a failing database or more than max_rows rows is an Error.
  virtual pse::Result<DecodeOutcome> lookup(std::string_view key) = 0;
};

}  // namespace pse::adapters::sql

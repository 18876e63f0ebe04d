// Owning handles for a SQLite connection and a prepared statement — only the RAII, so that
// the adapter does not depend on the broker's store code (dependencies point one way).
#pragma once

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace pse::adapters::sql {

struct ConnectionCloser {
  void operator()(sqlite3* connection) const noexcept;
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const noexcept;
};

using SqliteConnection = std::unique_ptr<sqlite3, ConnectionCloser>;
using SqliteStatement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

}  // namespace pse::adapters::sql

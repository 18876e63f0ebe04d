#include "adapters/sql/sqlite_handle.hpp"

#include <sqlite3.h>

namespace pse::adapters::sql {

void ConnectionCloser::operator()(sqlite3* connection) const noexcept { sqlite3_close_v2(connection); }
void StatementFinalizer::operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }

}  // namespace pse::adapters::sql

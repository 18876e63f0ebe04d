// Builds throw-away SQLite databases for the SQL source tests from SQL text.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace pse::adapters::testing {

inline void create_database(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* database = nullptr;
  if (sqlite3_open(file.c_str(), &database) != SQLITE_OK) throw std::runtime_error("cannot create " + file.string());
  char* message = nullptr;
  const int result = sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(database);
  if (result != SQLITE_OK) throw std::runtime_error("setup SQL failed: " + error);
}

}  // namespace pse::adapters::testing

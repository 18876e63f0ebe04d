// Shared by the audit tests: a key directory, a log written through AuditLog, and running
// pse-audit as a real process.
#pragma once

#include "audit/audit_config.hpp"
#include "audit/audit_keys.hpp"
#include "audit/audit_log.hpp"
#include "audit/pg_audit_store.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "sample_records.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"

#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>
#include <optional>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

namespace pse::audit::testing {

using pse::testing::Backend;

/// A temporary directory with keys, and a store: a SQLite file, or a fresh schema of the
/// test run's PostgreSQL cluster.
struct LogFixture {
  pse::testing::TempDir dir;
  std::filesystem::path keys = dir / "keys";
  std::filesystem::path database = dir / "audit.db";
  std::optional<PgConnectOptions> postgres;

  explicit LogFixture(Backend backend = Backend::sqlite) {
    write_new_key_files(keys);
    if (backend == Backend::postgresql) postgres = pse::testing::fresh_pg_schema();
  }

  std::unique_ptr<AuditStore> open_store(SqliteAuditStore::Access access) const {
    if (postgres) {
      auto store = PgAuditStore::open(*postgres);
      if (!store) throw std::runtime_error(store.error().message);
      return std::move(store).value();
    }
    auto store = SqliteAuditStore::open(database, access);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(store).value();
  }

  std::unique_ptr<AuditLog> open_log(const AuditConfig& config) const {
    if (!postgres) return AuditLog::open(config);
    return AuditLog::open(config, open_store(SqliteAuditStore::Access::writer),
                          open_store(SqliteAuditStore::Access::read_only));
  }
  std::unique_ptr<AuditLog> open_log() const { return open_log(config()); }

  /// A store to read what the log wrote.
  std::unique_ptr<AuditStore> read_store() const { return open_store(SqliteAuditStore::Access::read_only); }

  AuditConfig config(std::size_t max_batch = 1024) const {
    AuditConfig config;
    config.database = database;
    config.key_dir = keys;
    config.max_batch_entries = max_batch;
    return config;
  }

  /// Appends `count` sample records (from `first`), `per_wave` at a time, so the log gets one
  /// signed tree head per wave at least.
  void write(std::uint64_t first, std::uint64_t count, std::uint64_t per_wave) const {
    auto log = open_log();
    for (std::uint64_t begin = first; begin < first + count; begin += per_wave) {
      std::vector<std::future<AuditLog::AppendResult>> pending;
      for (std::uint64_t i = begin; i < std::min(first + count, begin + per_wave); ++i) {
        pending.push_back(log->append(sample_record(i)));
      }
      for (auto& result : pending) {
        if (!result.get().ok()) throw std::runtime_error("append failed");
      }
    }
  }
};

/// Runs SQL statements on the log's file directly, as anyone with write access to it could.
/// Returns SQLite's error message; empty when they ran.
inline std::string run_sql(const std::filesystem::path& database, const std::string& statements) {
  sqlite3* connection = nullptr;
  if (sqlite3_open(database.c_str(), &connection) != SQLITE_OK) {
    sqlite3_close(connection);
    return "cannot open " + database.string();
  }
  char* error = nullptr;
  const int status = sqlite3_exec(connection, statements.c_str(), nullptr, nullptr, &error);
  std::string message = status == SQLITE_OK ? "" : (error ? error : "failed");
  sqlite3_free(error);
  sqlite3_close(connection);
  return message;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs pse-audit with the arguments (none may contain spaces or shell characters).
inline CommandResult run_pse_audit(const std::string& arguments, const std::filesystem::path& scratch) {
  const auto out_file = scratch / "stdout.txt";
  const auto err_file = scratch / "stderr.txt";
  const std::string command = std::string(PSE_AUDIT_BINARY) + " " + arguments + " > " + out_file.string() +
                              " 2> " + err_file.string() + " < /dev/null";
  const int status = std::system(command.c_str());
  const auto slurp = [](const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = slurp(out_file);
  result.err = slurp(err_file);
  return result;
}

}  // namespace pse::audit::testing

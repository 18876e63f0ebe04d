// The legacy adapters' benchmarks against a real PostgreSQL through Debian's psqlODBC driver:
// a fresh schema of the cluster PSE_BENCH_PG_DIR names (scripts/pg-cluster start DIR), and the
// percentiles the benchmarks report beside Google Benchmark's means. bench/legacy-io starts
// the cluster, runs them and stops it.
#pragma once

#include "base/postgres.hpp"
#include "base/random_id.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace pse::bench {

struct BenchDatabase {
  PgConnectOptions admin;   ///< libpq, to create and fill tables
  std::string odbc;         ///< the ODBC connection string, without the password
  std::string password;
  std::string password_file;
};

inline std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

/// A fresh schema, or std::nullopt with `why_not` set when no cluster is named or reachable.
inline std::optional<BenchDatabase> open_bench_database(std::string& why_not) {
  const char* dir = std::getenv("PSE_BENCH_PG_DIR");
  if (dir == nullptr || *dir == '\0') {
    why_not = "PSE_BENCH_PG_DIR must name a cluster started by scripts/pg-cluster (bench/legacy-io does it)";
    return std::nullopt;
  }
  BenchDatabase database;
  database.admin.conninfo = first_line_of(std::string(dir) + "/conninfo");
  database.password_file = std::string(dir) + "/password";
  database.password = first_line_of(database.password_file);
  database.admin.password = database.password;
  auto connection = PgConnection::connect(database.admin);
  if (!connection) {
    why_not = connection.error().message;
    return std::nullopt;
  }
  const std::string schema = random_id("bench_", 8);
  if (auto created = connection->execute_script("CREATE SCHEMA " + schema); !created) {
    why_not = created.error().message;
    return std::nullopt;
  }
  database.admin.conninfo += " options='-c search_path=" + schema + "'";
  const std::string port = std::regex_replace(database.admin.conninfo, std::regex(".*port=([0-9]+).*"), "$1");
  database.odbc = "Driver=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so;Server=127.0.0.1;Port=" + port +
                  ";Database=pse;Uid=pse;pqopt={options='-c search_path=" + schema + "'}";
  return database;
}

/// The `fraction` percentile of `samples` (reordered).
inline double percentile(std::vector<double>& samples, double fraction) {
  if (samples.empty()) return 0;
  const auto at = static_cast<std::size_t>(fraction * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(at), samples.end());
  return samples[at];
}

}  // namespace pse::bench

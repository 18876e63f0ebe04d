// The tests' PostgreSQL: the throwaway cluster ctest starts once per run (scripts/pg-cluster,
// the `postgresql` fixture of tests/CMakeLists.txt), and a fresh schema in it per test, so
// every test starts from an empty store and tests never see each other's rows.
#pragma once

#include "base/postgres.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pse::testing {

/// The two backends every store's tests run on.
enum class Backend { sqlite, postgresql };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

inline const auto kEachBackend = ::testing::Values(Backend::sqlite, Backend::postgresql);

/// Settings for a new, empty schema of the run's cluster (search_path points at it). Fails
/// the calling test (ADD_FAILURE) and throws when the cluster is not running: run the test
/// through ctest, which starts it.
PgConnectOptions fresh_pg_schema();

/// The cluster's connection string and password file, for configs and child processes.
std::string pg_conninfo();
std::string pg_password_file();

}  // namespace pse::testing

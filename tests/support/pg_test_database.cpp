#include "support/pg_test_database.hpp"

#include "base/random_id.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pse::testing {
namespace {

// The cluster ctest starts (tests/CMakeLists.txt), or PSE_PG_TEST_DIR's: a test program run on
// its own, beside a ctest run of the same tree, can use a cluster of its own.
std::string cluster_dir() {
  const char* chosen = std::getenv("PSE_PG_TEST_DIR");
  return chosen != nullptr && *chosen != '\0' ? chosen : PSE_BINARY_DIR "/pg-test";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const std::string reason = "no PostgreSQL test cluster (" + path +
                               " is missing): run the tests through ctest, which starts one with scripts/pg-cluster";
    ADD_FAILURE() << reason;
    throw std::runtime_error(reason);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

}  // namespace

std::string pg_conninfo() { return read_file(cluster_dir() + "/conninfo"); }

std::string pg_password_file() {
  (void)read_file(cluster_dir() + "/password");
  return cluster_dir() + "/password";
}

PgConnectOptions fresh_pg_schema() {
  PgConnectOptions options;
  options.conninfo = pg_conninfo();
  options.password = read_file(cluster_dir() + "/password");
  auto admin = PgConnection::connect(options);
  if (!admin) {
    ADD_FAILURE() << admin.error().message;
    throw std::runtime_error(admin.error().message);
  }
  const std::string schema = random_id("t_", 8);
  if (auto created = admin->execute_script("CREATE SCHEMA " + schema); !created) {
    ADD_FAILURE() << created.error().message;
    throw std::runtime_error(created.error().message);
  }
  options.conninfo += " options='-c search_path=" + schema + "'";
  return options;
}

}  // namespace pse::testing

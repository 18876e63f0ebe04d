#include "support/pg_test_database.hpp"

#include "base/random_id.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pse::testing {
namespace {

const std::string kClusterDir = PSE_BINARY_DIR "/pg-test";

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

std::string pg_conninfo() { return read_file(kClusterDir + "/conninfo"); }

std::string pg_password_file() {
  (void)read_file(kClusterDir + "/password");
  return kClusterDir + "/password";
}

PgConnectOptions fresh_pg_schema() {
  PgConnectOptions options;
  options.conninfo = pg_conninfo();
  options.password = read_file(kClusterDir + "/password");
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

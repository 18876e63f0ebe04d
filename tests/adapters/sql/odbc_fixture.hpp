// The ODBC source tests' databases: a fresh schema of the run's PostgreSQL cluster reached
// through psqlODBC, or a fresh SQLite file through the SQLite ODBC driver — real drivers
// under the real driver manager (unixODBC), both from Debian.
#pragma once

#include "golden_support.hpp"
#include "sql_fixture.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace pse::adapters::testing {

enum class Driver { postgresql, sqlite };

inline std::string driver_name(const ::testing::TestParamInfo<Driver>& info) {
  return info.param == Driver::postgresql ? "psqlodbc" : "sqliteodbc";
}

inline const auto kEachDriver = ::testing::Values(Driver::postgresql, Driver::sqlite);

class OdbcDatabase {
 public:
  explicit OdbcDatabase(Driver driver) : driver_(driver) {
    if (driver_ == Driver::postgresql) {
      schema_ = pse::testing::fresh_pg_schema();
      schema_name_ = std::regex_replace(schema_.conninfo, std::regex(".*search_path=([a-z0-9_]+).*"), "$1");
      port_ = std::regex_replace(pse::testing::pg_conninfo(), std::regex(".*port=([0-9]+).*"), "$1");
      std::filesystem::permissions(work_.write("db.password", schema_.password), std::filesystem::perms::owner_read |
                                                                                   std::filesystem::perms::owner_write);
    }
  }

  /// Runs `sql` (several statements) in the database.
  void setup(const std::string& sql) {
    if (driver_ == Driver::sqlite) {
      create_database(work_ / "data.db", sql);
      return;
    }
    auto connection = PgConnection::connect(schema_);
    ASSERT_TRUE(connection) << connection.error().message;
    auto done = connection->execute_script(sql);
    ASSERT_TRUE(done) << done.error().message;
  }

  /// The connection string, to the database through `port` (PostgreSQL: the cluster's by default).
  std::string connection(const std::string& port = "") const {
    if (driver_ == Driver::sqlite) {
      return "Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so;Database=" + (work_ / "data.db").string();
    }
    return "Driver=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so;Server=127.0.0.1;Port=" + (port.empty() ? port_ : port) +
           ";Database=pse;Uid=pse;pqopt={options='-c search_path=" + schema_name_ + "'}";
  }

  /// The YAML lines that reach the database: `connection`, and `password_file` for PostgreSQL.
  std::string yaml_connection(const std::string& port = "") const {
    std::string yaml = "connection: \"" + connection(port) + "\"\n";
    if (driver_ == Driver::postgresql) yaml += "password_file: " + (work_ / "db.password").string() + "\n";
    return yaml;
  }

  std::string port() const { return port_; }
  /// The PostgreSQL cluster's password (what password_file holds).
  static std::string password() {
    std::string text = read_bytes(pse::testing::pg_password_file());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  const pse::testing::TempDir& work() const { return work_; }

 private:
  Driver driver_;
  pse::testing::TempDir work_;
  PgConnectOptions schema_;
  std::string schema_name_;
  std::string port_;
};

}  // namespace pse::adapters::testing

// ODBC source conformance: each folder of odbc_golden/ holds setup.sql (run into a fresh
// database), source.yaml (without its connection, which the test adds), keys.txt and
// expected.txt — one expected text for both drivers, so that PostgreSQL through psqlODBC and
// SQLite through its ODBC driver are shown to give the same records and the same rejects.
#include "adapters/sql/odbc_source.hpp"

#include "golden_support.hpp"
#include "odbc_fixture.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace pse::adapters::sql {
namespace {

const std::filesystem::path golden_directory = std::filesystem::path(PSE_SOURCE_DIR) / "tests/adapters/sql/odbc_golden";

class OdbcGolden : public ::testing::TestWithParam<std::tuple<std::string, testing::Driver>> {};

TEST_P(OdbcGolden, MatchesExpected) {
  const auto& [name, driver] = GetParam();
  const auto directory = golden_directory / name;
  testing::OdbcDatabase database(driver);
  database.setup(testing::read_bytes(directory / "setup.sql"));
  const auto source_file = database.work().write(
      "source.yaml", database.yaml_connection() + testing::read_bytes(directory / "source.yaml"));
  auto source = load_odbc_source(source_file);
  std::istringstream keys(testing::read_bytes(directory / "keys.txt"));
  std::string rendered;
  for (std::string key; std::getline(keys, key);) {
    rendered += "key: " + key + "\n";
    auto outcome = source->lookup(key);
    if (!outcome) {
      rendered += "error: " + outcome.error().message + "\n";
      continue;
    }
    rendered += testing::render_outcome(*outcome);
  }
  testing::expect_golden(directory, rendered);
}

INSTANTIATE_TEST_SUITE_P(Cases, OdbcGolden,
                         ::testing::Combine(::testing::ValuesIn(testing::golden_cases(golden_directory)),
                                            testing::kEachDriver),
                         [](const auto& test_case) {
                           return std::get<0>(test_case.param) + "_" +
                                  (std::get<1>(test_case.param) == testing::Driver::postgresql ? "psqlodbc" : "sqliteodbc");
                         });

}  // namespace
}  // namespace pse::adapters::sql

// SQL source conformance: each folder of golden/ holds setup.sql (run into a fresh database),
// source.yaml, keys.txt (one lookup key per line) and expected.txt: for each key, the
// rendered outcome of its lookup (see tests/adapters/record/golden_support.hpp).
#include "adapters/sql/sql_source.hpp"

#include "golden_support.hpp"
#include "sql_fixture.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace pse::adapters::sql {
namespace {

const std::filesystem::path golden_directory = std::filesystem::path(PSE_SOURCE_DIR) / "tests/adapters/sql/golden";

class SqlGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlGolden, MatchesExpected) {
  const auto directory = golden_directory / GetParam();
  pse::testing::TempDir work;
  testing::create_database(work / "data.db", testing::read_bytes(directory / "setup.sql"));
  const auto source_file = work.write("source.yaml", testing::read_bytes(directory / "source.yaml"));
  SqlSource source = load_sql_source(source_file);
  std::istringstream keys(testing::read_bytes(directory / "keys.txt"));
  std::string rendered;
  for (std::string key; std::getline(keys, key);) {
    rendered += "key: " + key + "\n";
    auto outcome = source.lookup(key);
    if (!outcome) {
      rendered += "error: " + outcome.error().message + "\n";
      continue;
    }
    // The database lives in a temporary folder: name it as the case does.
    for (auto& error : outcome->errors) error.file = "data.db";
    rendered += testing::render_outcome(*outcome);
  }
  testing::expect_golden(directory, rendered);
}

INSTANTIATE_TEST_SUITE_P(Cases, SqlGolden, ::testing::ValuesIn(testing::golden_cases(golden_directory)),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace pse::adapters::sql

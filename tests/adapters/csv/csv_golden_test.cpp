// CSV conformance: each folder of golden/ holds schema.yaml, input.csv and expected.txt
// (accepted records as canonical JSON, counts, rejects). See tests/adapters/record/golden_support.hpp.
#include "adapters/csv/csv_decoder.hpp"

#include "golden_support.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::csv {
namespace {

const std::filesystem::path golden_directory = std::filesystem::path(PSE_SOURCE_DIR) / "tests/adapters/csv/golden";

class CsvGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CsvGolden, MatchesExpected) {
  const auto directory = golden_directory / GetParam();
  const CsvSchema schema = load_csv_schema(directory / "schema.yaml");
  const std::string input = testing::read_bytes(directory / "input.csv");
  testing::expect_golden(directory, testing::render_outcome(decode_csv(input, "input.csv", schema)));
}

INSTANTIATE_TEST_SUITE_P(Cases, CsvGolden, ::testing::ValuesIn(testing::golden_cases(golden_directory)),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace pse::adapters::csv

// XML and SOAP conformance: each folder of golden/ holds schema.yaml, input.xml and expected.txt
// (accepted records as canonical JSON, counts, rejects). See tests/adapters/record/golden_support.hpp.
#include "adapters/xml/xml_decoder.hpp"

#include "golden_support.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::xml {
namespace {

const std::filesystem::path golden_directory = std::filesystem::path(PSE_SOURCE_DIR) / "tests/adapters/xml/golden";

class XmlGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(XmlGolden, MatchesExpected) {
  const auto directory = golden_directory / GetParam();
  const XmlSchema schema = load_xml_schema(directory / "schema.yaml");
  const std::string input = testing::read_bytes(directory / "input.xml");
  testing::expect_golden(directory, testing::render_outcome(decode_xml(input, "input.xml", schema)));
}

INSTANTIATE_TEST_SUITE_P(Cases, XmlGolden, ::testing::ValuesIn(testing::golden_cases(golden_directory)),
                         [](const auto& test_case) { return test_case.param; });

}  // namespace
}  // namespace pse::adapters::xml

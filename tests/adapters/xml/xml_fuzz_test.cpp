// XML decoding fed mutated and random documents, bounded in time (about 3 s per test): it must
// never crash, hang, leak a local file into a record, or lose a record — read == accepted +
// rejected, and every error has a reason.
#include "adapters/record/utf8.hpp"
#include "adapters/xml/xml_decoder.hpp"

#include "golden_support.hpp"
#include "mutator.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::xml {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path golden_directory = std::filesystem::path(PSE_SOURCE_DIR) / "tests/adapters/xml/golden";

void check_invariants(const std::string& input, const DecodeOutcome& outcome, const XmlSchema& schema) {
  ASSERT_EQ(outcome.counts.read, outcome.counts.accepted + outcome.counts.rejected);
  ASSERT_EQ(outcome.records.size(), outcome.counts.accepted);
  if (outcome.file_rejected) {
    ASSERT_FALSE(outcome.errors.empty());
  }
  for (const auto& record : outcome.records) {
    ASSERT_EQ(record.size(), schema.fields.size());
    const std::string json = to_json(record);
    ASSERT_FALSE(first_invalid_utf8(json).has_value()) << json;
    if (input.find("root:x:0:0") == std::string::npos) {
      ASSERT_EQ(json.find("root:x:0:0"), std::string::npos) << "a local file leaked into a record";
    }
  }
  for (const auto& error : outcome.errors) {
    ASSERT_FALSE(error.reason.empty());
    ASSERT_LE(error.raw.size(), max_raw_bytes);
  }
}

TEST(XmlFuzz, MutatedGoldenDocuments) {
  std::vector<std::pair<XmlSchema, std::string>> seeds;
  for (const auto& name : testing::golden_cases(golden_directory)) {
    XmlSchema schema = load_xml_schema(golden_directory / name / "schema.yaml");
    schema.on_error = ErrorPolicy::skip_record;
    seeds.emplace_back(std::move(schema), testing::read_bytes(golden_directory / name / "input.xml"));
  }
  testing::Mutator mutator(20261122, {"<", ">", "/", "</", "/>", "<Citoyen nas=\"9\">", "</Citoyen>", "<Nom>",
                                      "</Nom>", "&amp;", "&lt;", "&#x0;", "&#65;", "&secret;", "<![CDATA[", "]]>",
                                      "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", "<!ENTITY x \"y\">",
                                      "<?xml version=\"1.0\"?>", "xmlns=\"urn:x\"", "xmlns:p=\"urn:p\"", "p:",
                                      "xsi:nil=\"true\"", "\"", "'", "=", " ", "\n", "\xE9", "\xFF\xFE", "é"});
  const int runs = testing::run_for(3s, 100000, [&](int) {
    const auto& [schema, seed] = seeds[static_cast<std::size_t>(mutator.pick(static_cast<int>(seeds.size())))];
    const std::string input = mutator.mutate(seed);
    check_invariants(input, decode_xml(input, "fuzz.xml", schema), schema);
  });
  EXPECT_GT(runs, 100);
}

TEST(XmlFuzz, RandomDocuments) {
  const XmlSchema schema = load_xml_schema(golden_directory / "skip_record_errors" / "schema.yaml");
  testing::Mutator mutator(11, {"<Citoyens>", "</Citoyens>", "<Citoyen nas=\"1\">", "</Citoyen>", "<Nom>", "</Nom>",
                                "<Solde>", "</Solde>", "1.5", "x", "<a>", "</a>", "<!--", "-->", "<?pi?>", "&amp;",
                                "<!DOCTYPE x>", " "});
  const int runs = testing::run_for(3s, 100000, [&](int) {
    const std::string input = mutator.random_input(800);
    check_invariants(input, decode_xml(input, "random.xml", schema), schema);
  });
  EXPECT_GT(runs, 100);
}

}  // namespace
}  // namespace pse::adapters::xml

// The hardened parser against the attacks it exists to stop: XXE file reads and network
// fetches, entity expansion bombs, and documents too deep or too large.
#include "adapters/xml/xml_decoder.hpp"

#include "golden_support.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::xml {
namespace {

XmlSchema name_schema() {
  XmlSchema schema;
  std::string error;
  schema.record_path = parse_xml_path("/Citoyens/Citoyen", true, {}, error);
  XmlField field;
  field.spec.name = "nom";
  field.path = parse_xml_path("Nom", false, {}, error);
  schema.fields.push_back(field);
  return schema;
}

std::string everything_said(const DecodeOutcome& outcome) { return testing::render_outcome(outcome); }

TEST(SafeXmlParser, ExternalEntityFileReadIsRefused) {
  pse::testing::TempDir directory;
  const auto secret = directory.write("secret.txt", "TOP-SECRET-CONTENT");
  const std::string document = "<?xml version=\"1.0\"?>\n<!DOCTYPE Citoyens [\n  <!ENTITY s SYSTEM \"file://" +
                               secret.string() + "\">\n]>\n<Citoyens><Citoyen><Nom>&s;</Nom></Citoyen></Citoyens>\n";
  const DecodeOutcome outcome = decode_xml(document, "xxe.xml", name_schema());
  ASSERT_TRUE(outcome.file_rejected);
  ASSERT_EQ(outcome.errors.size(), 1U);
  EXPECT_NE(outcome.errors[0].reason.find("DOCTYPE refused"), std::string::npos) << outcome.errors[0].reason;
  EXPECT_EQ(outcome.errors[0].line, 2U);
  EXPECT_EQ(everything_said(outcome).find("TOP-SECRET"), std::string::npos);
}

TEST(SafeXmlParser, BillionLaughsIsRefusedQuickly) {
  std::string document = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    document += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) document += i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
    document += "\">\n";
  }
  document += "]>\n<Citoyens><Citoyen><Nom>&lol9;</Nom></Citoyen></Citoyens>\n";
  const auto start = std::chrono::steady_clock::now();
  const DecodeOutcome outcome = decode_xml(document, "lol.xml", name_schema());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_TRUE(outcome.file_rejected);
  EXPECT_NE(outcome.errors[0].describe().find("lol.xml: file (line 2, byte 22): DOCTYPE refused"), std::string::npos)
      << outcome.errors[0].describe();
  EXPECT_TRUE(outcome.records.empty());
}

TEST(SafeXmlParser, DepthLimitStopsDeepDocuments) {
  XmlSchema schema = name_schema();
  schema.limits.max_depth = 8;
  std::string deep = "<Citoyens><Citoyen><Nom>x</Nom></Citoyen>";
  for (int i = 0; i < 10; ++i) deep += "<a>";
  for (int i = 0; i < 10; ++i) deep += "</a>";
  deep += "</Citoyens>";
  const DecodeOutcome outcome = decode_xml(deep, "deep.xml", schema);
  ASSERT_TRUE(outcome.file_rejected);
  EXPECT_EQ(outcome.errors[0].reason, "document nests deeper than 8 elements");
  schema.limits.max_depth = 64;
  EXPECT_FALSE(decode_xml(deep, "deep.xml", schema).file_rejected);
  // Far beyond libxml2's own limit of 256 levels: still a clean refusal, no stack overflow.
  std::string abyss(200000 * 3, ' ');
  for (std::size_t i = 0; i < 200000; ++i) abyss.replace(i * 3, 3, "<a>");
  EXPECT_TRUE(decode_xml(abyss, "abyss.xml", schema).file_rejected);
}

TEST(SafeXmlParser, SizeLimitIsCheckedBeforeParsing) {
  XmlSchema schema = name_schema();
  schema.limits.max_bytes = 64;
  const std::string big = "<Citoyens>" + std::string(100, ' ') + "</Citoyens>";
  DecodeOutcome outcome = decode_xml(big, "big.xml", schema);
  ASSERT_TRUE(outcome.file_rejected);
  EXPECT_EQ(outcome.errors[0].reason, "document is 121 bytes, more than the limit of 64");

  pse::testing::TempDir directory;
  const auto file = directory.write("big.xml", big);
  auto from_file = decode_xml_file(file, schema);
  ASSERT_TRUE(from_file.ok());
  EXPECT_TRUE(from_file->file_rejected);
  EXPECT_FALSE(decode_xml_file(directory / "absent.xml", schema).ok());
}

TEST(SafeXmlParser, MalformedXmlNamesLineAndOffset) {
  const DecodeOutcome outcome = decode_xml("<Citoyens>\n<Citoyen><Nom>x</Citoyen>\n</Citoyens>\n", "bad.xml", name_schema());
  ASSERT_TRUE(outcome.file_rejected);
  const DecodeError& error = outcome.errors[0];
  EXPECT_EQ(error.line, 2U);
  EXPECT_GE(error.byte_offset, 11U);
  EXPECT_NE(error.reason.find("malformed XML"), std::string::npos);
}

TEST(SafeXmlParser, NoNetworkEvenForAnXIncludeOrSchemaLocation) {
  // Neither is processed: XInclude is never enabled and no schema is ever loaded, so these are
  // plain elements and attributes.
  const std::string document =
      "<Citoyens xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:x http://attacker.example/x.xsd\">"
      "<Citoyen><Nom>ok</Nom><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></Citoyen></Citoyens>";
  const DecodeOutcome outcome = decode_xml(document, "xi.xml", name_schema());
  ASSERT_FALSE(outcome.file_rejected);
  ASSERT_EQ(outcome.records.size(), 1U);
  EXPECT_EQ(to_json(outcome.records[0]), R"({"nom":"ok"})");
}

}  // namespace
}  // namespace pse::adapters::xml

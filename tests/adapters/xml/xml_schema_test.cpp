// XML paths and schemas: what a schema may say, and the errors it gets when it says it wrong.
#include "adapters/xml/xml_schema.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::xml {
namespace {

TEST(XmlPath, ParsesStepsPrefixesAndAttributes) {
  std::string error;
  const XmlPath path = parse_xml_path("/soap:Envelope/Body/c:Citoyen", true,
                                      {{"soap", "http://schemas.xmlsoap.org/soap/envelope/"}, {"c", "urn:c"}}, error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(path.steps.size(), 3U);
  EXPECT_EQ(path.steps[0].namespace_uri, "http://schemas.xmlsoap.org/soap/envelope/");
  EXPECT_EQ(path.steps[1].namespace_uri, std::nullopt);
  EXPECT_EQ(path.steps[2].local_name, "Citoyen");
  const XmlPath attribute = parse_xml_path("Adresse/@code", false, {}, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_TRUE(attribute.steps[1].attribute);
}

TEST(XmlPath, RefusesBadPaths) {
  const auto reason = [](std::string_view text, bool absolute) {
    std::string error;
    (void)parse_xml_path(text, absolute, {}, error);
    return error;
  };
  EXPECT_EQ(reason("Citoyen", true), "must be absolute (start with '/')");
  EXPECT_EQ(reason("/Citoyen", false), "must be relative to the record (no leading '/')");
  EXPECT_EQ(reason("x:Nom", false), "uses prefix 'x', which `namespaces` does not bind");
  EXPECT_EQ(reason("@a/b", false), "names an attribute before its last step");
  EXPECT_EQ(reason("a//b", false), "has an invalid step ''");
  EXPECT_EQ(reason("a/b[1]", false), "has an invalid step 'b[1]'");
  EXPECT_EQ(reason("", false), "has an invalid step ''");
}

TEST(XmlSchema, RefusesBadSchemasWithFileAndLine) {
  pse::testing::TempDir directory;
  const auto check = [&](const std::string& yaml, const std::string& expected, int line) {
    const auto file = directory.write("schema.yaml", yaml);
    try {
      (void)load_xml_schema(file);
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
      EXPECT_EQ(error.line(), line) << error.what();
    }
  };
  const std::string fields = "fields:\n  - {name: nom, path: Nom}\n";
  check("record_path: Citoyen\n" + fields, "record_path must be absolute", 1);
  check("record_path: /a/@b\n" + fields, "record_path must name elements", 1);
  check("record_path: /a\nfields:\n  - {name: nom, path: c:Nom}\n", "uses prefix 'c'", 3);
  check("record_path: /a\nfields:\n  - {name: nom}\n", "field.path is required", 3);
  check("record_path: /a\nfields:\n  - {name: nom, path: Nom, xpath: x}\n", "unknown key 'xpath'", 3);
  check("record_path: /a\nmax_depth: 100000\n" + fields, "max_depth must be between 2 and 256", 2);
  check("record_path: /a\nnamespaces: [a]\n" + fields, "must map prefixes to URIs", 2);
  check("record_path: /a\nsoap: maybe\n" + fields, "soap must be true or false", 2);
  check("record_path: /a\nfields:\n  - {name: a, path: A}\n  - {name: a, path: B}\n", "duplicate field 'a'", 4);
}

}  // namespace
}  // namespace pse::adapters::xml

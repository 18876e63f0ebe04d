// Typed field parsing: strictness of every type, and the YAML form of a field spec.
#include "adapters/record/field_spec.hpp"

#include "base/yaml_reader.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pse::adapters {
namespace {

FieldSpec spec_of(FieldType type) {
  FieldSpec spec;
  spec.name = "f";
  spec.type = type;
  return spec;
}

std::string json_of(std::string_view text, const FieldSpec& spec) {
  const ParsedValue parsed = parse_field_value(text, spec);
  if (parsed.error != nullptr) return std::string("error: ") + parsed.error;
  return to_json(parsed.value);
}

TEST(FieldSpec, EmptyIsNullUnlessRequired) {
  FieldSpec spec = spec_of(FieldType::integer);
  EXPECT_EQ(json_of("", spec), "null");
  spec.required = true;
  EXPECT_EQ(json_of("", spec), "error: required value is missing");
}

TEST(FieldSpec, DecimalsAreCanonicalAndExact) {
  FieldSpec spec = spec_of(FieldType::decimal);
  EXPECT_EQ(json_of("1234.50", spec), "\"1234.50\"");
  EXPECT_EQ(json_of("00012.3", spec), "\"12.3\"");
  EXPECT_EQ(json_of("-0.00", spec), "\"0.00\"");
  EXPECT_EQ(json_of("+.5", spec), "\"0.5\"");
  EXPECT_EQ(json_of("7", spec), "\"7\"");
  EXPECT_EQ(json_of("1234567890123456789012345678901234567.8", spec),
            "\"1234567890123456789012345678901234567.8\"");
  EXPECT_EQ(json_of("12345678901234567890123456789012345678.9", spec), "error: decimal has more than 38 digits");
  EXPECT_EQ(json_of("1,5", spec), "error: not a decimal: wrong decimal separator");
  EXPECT_EQ(json_of("1.5.", spec), "error: not a decimal");
  EXPECT_EQ(json_of("1.", spec), "error: not a decimal: no digits after the separator");
  EXPECT_EQ(json_of("-", spec), "error: not a decimal: no digits");
  EXPECT_EQ(json_of(" 1", spec), "error: not a decimal");
  EXPECT_EQ(json_of("1e5", spec), "error: not a decimal");
}

TEST(FieldSpec, DecimalCommaAndScale) {
  FieldSpec spec = spec_of(FieldType::decimal);
  spec.decimal_separator = ',';
  spec.scale = 2;
  EXPECT_EQ(json_of("1234,5", spec), "\"1234.50\"");
  EXPECT_EQ(json_of("-3", spec), "\"-3.00\"");
  EXPECT_EQ(json_of("0,001", spec), "error: decimal has more fraction digits than the schema's scale");
  EXPECT_EQ(json_of("1.5", spec), "error: not a decimal: wrong decimal separator");
}

TEST(FieldSpec, IntegersAre64Bit) {
  const FieldSpec spec = spec_of(FieldType::integer);
  EXPECT_EQ(json_of("9223372036854775807", spec), "9223372036854775807");
  EXPECT_EQ(json_of("-9223372036854775808", spec), "-9223372036854775808");
  EXPECT_EQ(json_of("+12", spec), "12");
  EXPECT_EQ(json_of("9223372036854775808", spec), "error: integer out of the 64-bit range");
  EXPECT_EQ(json_of("+-1", spec), "error: not an integer");
  EXPECT_EQ(json_of("1.0", spec), "error: not an integer");
  EXPECT_EQ(json_of("+", spec), "error: not an integer");
}

TEST(FieldSpec, DatesFollowTheFormat) {
  FieldSpec spec = spec_of(FieldType::date);
  EXPECT_EQ(json_of("2024-02-29", spec), "\"2024-02-29\"");
  EXPECT_EQ(json_of("2023-02-29", spec), "error: no such date");
  EXPECT_EQ(json_of("2024-2-29", spec), "error: date does not match the schema's format");
  EXPECT_EQ(json_of("2024-02-290", spec), "error: date does not match the schema's format");
  spec.date_format = "%d/%m/%Y";
  EXPECT_EQ(json_of("01/07/1867", spec), "\"1867-07-01\"");
  spec.date_format = "%Y%m%d";
  EXPECT_EQ(json_of("19840229", spec), "\"1984-02-29\"");
}

TEST(FieldSpec, BooleansInEnglishAndFrench) {
  const FieldSpec spec = spec_of(FieldType::boolean);
  EXPECT_EQ(json_of("OUI", spec), "true");
  EXPECT_EQ(json_of("o", spec), "true");
  EXPECT_EQ(json_of("True", spec), "true");
  EXPECT_EQ(json_of("non", spec), "false");
  EXPECT_EQ(json_of("0", spec), "false");
  EXPECT_EQ(json_of("vrai", spec), "error: not a boolean (true/false, 1/0, yes/no, oui/non)");
}

TEST(FieldSpec, StringsMustBeUtf8) {
  const FieldSpec spec = spec_of(FieldType::string);
  EXPECT_EQ(json_of("Québec", spec), "\"Québec\"");
  EXPECT_EQ(json_of("Qu\xe9" "bec", spec), "error: text is not valid UTF-8");
}

TEST(FieldSpec, ReadFromYamlWithStrictKeys) {
  pse::testing::TempDir directory;
  const auto file = directory.write("f.yaml", "name: solde\ntype: decimal\nscale: 2\ndecimal_separator: \",\"\n");
  YamlMap map(load_yaml_file(file), file, "field");
  const FieldSpec spec = read_field_spec(map, FieldSpec{});
  map.finish();
  EXPECT_EQ(spec.name, "solde");
  EXPECT_EQ(spec.type, FieldType::decimal);
  EXPECT_EQ(spec.scale, 2);
  EXPECT_EQ(spec.decimal_separator, ',');
}

TEST(FieldSpec, YamlErrorsNameTheLine) {
  pse::testing::TempDir directory;
  const auto check = [&](const std::string& yaml, const std::string& expected) {
    const auto file = directory.write("f.yaml", yaml);
    try {
      YamlMap map(load_yaml_file(file), file, "field");
      (void)read_field_spec(map, FieldSpec{});
      map.finish();
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
      EXPECT_GT(error.line(), 0);
    }
  };
  check("name: a\ntype: money\n", "must be one of string, decimal");
  check("name: a\ntype: date\nformat: \"%d/%m\"\n", "must contain %Y, %m and %d");
  check("name: a\ntype: date\nformat: \"%H\"\n", "only %Y, %m and %d");
  check("name: a\ntype: string\nscale: 2\n", "applies to decimals only");
  check("name: a\ntype: decimal\ndecimal_separator: \";\"\n", "must be '.' or ','");
  check("name: a\nrequired: true\ncolour: red\n", "unknown key 'colour'");
}

}  // namespace
}  // namespace pse::adapters

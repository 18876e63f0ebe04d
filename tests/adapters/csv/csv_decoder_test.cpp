// CSV decoding beyond the golden cases: schema loading errors, error locations, file API.
#include "adapters/csv/csv_decoder.hpp"
#include "base/config_error.hpp"

#include "golden_support.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::csv {
namespace {

CsvSchema schema_from(const pse::testing::TempDir& directory, const std::string& yaml) {
  return load_csv_schema(directory.write("schema.yaml", yaml));
}

const char* const two_columns = "columns:\n  - {name: code, type: integer, required: true}\n  - {name: montant, type: decimal}\n";

TEST(CsvDecoder, ErrorNamesFileRecordLineOffsetAndColumn) {
  pse::testing::TempDir directory;
  const CsvSchema schema = schema_from(directory, two_columns);
  const DecodeOutcome outcome = decode_csv("1,2.5\n\"2\",\"multi\nline\"\n3,x\n", "paie.csv", schema);
  ASSERT_TRUE(outcome.file_rejected);
  ASSERT_EQ(outcome.errors.size(), 1U);
  const DecodeError& error = outcome.errors[0];
  EXPECT_EQ(error.record, 2U);
  EXPECT_EQ(error.line, 2U);
  EXPECT_EQ(error.byte_offset, 10U);
  EXPECT_EQ(error.field, "montant");
  EXPECT_EQ(error.describe(),
            "paie.csv: record 2 (line 2, byte 10), field 'montant': not a decimal: 'multi\nline'");
  EXPECT_EQ(error.raw, "\"2\",\"multi\nline\"");
}

TEST(CsvDecoder, WrongArityIsAnErrorNeverAShift) {
  pse::testing::TempDir directory;
  const CsvSchema schema = schema_from(directory, std::string("on_error: skip_record\n") + two_columns);
  const DecodeOutcome outcome = decode_csv("1,2\n2\n3,4,5\n4,5\n", "f.csv", schema);
  EXPECT_EQ(outcome.counts, (DecodeCounts{4, 2, 2}));
  ASSERT_EQ(outcome.errors.size(), 2U);
  EXPECT_EQ(outcome.errors[0].describe(), "f.csv: record 2 (line 2, byte 4): record has 1 fields, the schema expects 2");
  EXPECT_EQ(outcome.errors[1].describe(), "f.csv: record 3 (line 3, byte 6): record has 3 fields, the schema expects 2");
}

TEST(CsvDecoder, LongBadValuesAreShortenedInMessages) {
  pse::testing::TempDir directory;
  const CsvSchema schema = schema_from(directory, two_columns);
  const DecodeOutcome outcome = decode_csv("1," + std::string(500, '9') + "x\n", "f.csv", schema);
  ASSERT_EQ(outcome.errors.size(), 1U);
  EXPECT_LT(outcome.errors[0].reason.size(), 80U);
}

TEST(CsvDecoder, FileApiReadsAndReportsMissingFiles) {
  pse::testing::TempDir directory;
  const CsvSchema schema = schema_from(directory, two_columns);
  const auto file = directory.write("in.csv", "1,2\n");
  auto outcome = decode_csv_file(file, schema);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->counts, (DecodeCounts{1, 1, 0}));
  EXPECT_EQ(to_json(outcome->records[0]), R"({"code":1,"montant":"2"})");
  const auto missing = decode_csv_file(directory / "absent.csv", schema);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent.csv"), std::string::npos);
}

TEST(CsvDecoder, RejectFileIsWrittenForSkippedRecords) {
  pse::testing::TempDir directory;
  const CsvSchema schema = schema_from(directory, std::string("on_error: skip_record\n") + two_columns);
  const DecodeOutcome outcome = decode_csv("1,2\nx,3\n", "f.csv", schema);
  ASSERT_TRUE(write_reject_file(directory / "f.rejects.jsonl", outcome.errors).ok());
  EXPECT_EQ(testing::read_bytes(directory / "f.rejects.jsonl"),
            "{\"file\":\"f.csv\",\"record\":2,\"line\":2,\"byte_offset\":4,\"field\":\"code\","
            "\"reason\":\"not an integer: 'x'\",\"raw\":\"x,3\"}\n");
}

TEST(CsvSchema, DialectsSetDelimiterAndDecimalSeparator) {
  pse::testing::TempDir directory;
  const CsvSchema french = schema_from(directory, std::string("dialect: french\n") + two_columns);
  EXPECT_EQ(french.delimiter, ';');
  EXPECT_EQ(french.columns[1].decimal_separator, ',');
  const CsvSchema tabs = schema_from(directory, std::string("delimiter: \"\\t\"\n") + two_columns);
  EXPECT_EQ(tabs.delimiter, '\t');
  EXPECT_EQ(tabs.columns[1].decimal_separator, '.');
}

TEST(CsvSchema, BadSchemasAreRefusedWithFileAndLine) {
  pse::testing::TempDir directory;
  const auto check = [&](const std::string& yaml, const std::string& expected, int line) {
    try {
      (void)schema_from(directory, yaml);
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
      EXPECT_NE(error.file().string().find("schema.yaml"), std::string::npos);
      EXPECT_EQ(error.line(), line) << error.what();
    }
  };
  check(std::string("headers: true\n") + two_columns, "unknown key 'headers'", 1);
  check(std::string("dialect: excel\n") + two_columns, "must be rfc4180 or french", 1);
  check(std::string("delimiter: \"\\\"\"\n") + two_columns, "other than a quote", 1);
  check(std::string("on_error: ignore\n") + two_columns, "must be reject_file or skip_record", 1);
  check("columns:\n  - {name: a}\n  - {name: a}\n", "duplicate column 'a'", 3);
  check("columns:\n  - {name: a, typ: string}\n", "unknown key 'typ'", 2);
  check("columns: []\n", "non-empty list", 1);
}

}  // namespace
}  // namespace pse::adapters::csv

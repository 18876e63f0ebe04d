// CSV decoding fed mutated and random inputs, bounded in time (about 3 s per test): it must
// never crash, hang or lose a record — read == accepted + rejected, every error points inside
// the input — and records written by a correct CSV writer must come back unchanged.
#include "adapters/csv/csv_decoder.hpp"
#include "adapters/record/utf8.hpp"

#include "golden_support.hpp"
#include "mutator.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::csv {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path golden_directory = std::filesystem::path(PSE_SOURCE_DIR) / "tests/adapters/csv/golden";

void check_invariants(const std::string& input, const DecodeOutcome& outcome, const CsvSchema& schema) {
  ASSERT_EQ(outcome.counts.read, outcome.counts.accepted + outcome.counts.rejected);
  ASSERT_EQ(outcome.records.size(), outcome.counts.accepted);
  if (!outcome.file_rejected) {
    ASSERT_EQ(outcome.errors.size(), outcome.counts.rejected);
  }
  for (const auto& record : outcome.records) {
    ASSERT_EQ(record.size(), schema.columns.size());
    ASSERT_FALSE(first_invalid_utf8(to_json(record)).has_value());
  }
  for (const auto& error : outcome.errors) {
    ASSERT_TRUE(error.byte_offset.has_value());
    ASSERT_LE(*error.byte_offset, input.size());
    ASSERT_FALSE(error.reason.empty());
    ASSERT_LE(error.raw.size(), max_raw_bytes);
  }
}

TEST(CsvFuzz, MutatedGoldenInputs) {
  std::vector<std::pair<CsvSchema, std::string>> seeds;
  for (const auto& name : testing::golden_cases(golden_directory)) {
    CsvSchema schema = load_csv_schema(golden_directory / name / "schema.yaml");
    schema.on_error = ErrorPolicy::skip_record;
    seeds.emplace_back(std::move(schema), testing::read_bytes(golden_directory / name / "input.csv"));
  }
  testing::Mutator mutator(20261122, {",", ";", "\"", "\"\"", "\r\n", "\n", "\r", "\xEF\xBB\xBF", "1.5", "1,5",
                                      "-", "2024-02-29", "29/02/2024", "oui", "\xC3\xA9", "\xE9", "\xFF", ""});
  const int runs = testing::run_for(3s, 200000, [&](int) {
    const auto& [schema, seed] = seeds[static_cast<std::size_t>(mutator.pick(static_cast<int>(seeds.size())))];
    const std::string input = mutator.mutate(seed);
    check_invariants(input, decode_csv(input, "fuzz.csv", schema), schema);
  });
  EXPECT_GT(runs, 100);
}

TEST(CsvFuzz, RandomInputs) {
  const CsvSchema schema = load_csv_schema(golden_directory / "skip_record_errors" / "schema.yaml");
  testing::Mutator mutator(7, {",", "\"", "\n", "\r\n", "a", "1", ".", "-", "2000-01-01", "true"});
  const int runs = testing::run_for(3s, 200000, [&](int) {
    const std::string input = mutator.random_input(600);
    check_invariants(input, decode_csv(input, "random.csv", schema), schema);
  });
  EXPECT_GT(runs, 100);
}

// Writes one field as an RFC 4180 writer would: quoted when it holds a delimiter, a quote or
// a line end (and sometimes anyway, as some exporters quote everything).
std::string write_field(const std::string& text, char delimiter, bool always_quote) {
  if (!always_quote && text.find_first_of(std::string("\"\r\n") + delimiter) == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    quoted.push_back(c);
    if (c == '"') quoted.push_back('"');
  }
  return quoted + "\"";
}

TEST(CsvFuzz, WrittenRecordsRoundTrip) {
  for (const char delimiter : {',', ';'}) {
    CsvSchema schema;
    schema.delimiter = delimiter;
    schema.header = true;
    for (const char* name : {"a", "b", "c"}) {
      FieldSpec spec;
      spec.name = name;
      schema.columns.push_back(spec);
    }
    testing::Mutator mutator(static_cast<std::uint32_t>(delimiter), {",", ";", "\"", "\r\n", "\n", "x", "Québec", " ", "é€"});
    testing::run_for(1500ms, 20000, [&](int) {
      std::string input = mutator.pick(2) == 0 ? "\xEF\xBB\xBF" : "";
      input += std::string("a") + delimiter + "b" + delimiter + "c\r\n";
      std::vector<std::string> expected;
      const int rows = 1 + mutator.pick(5);
      for (int row = 0; row < rows; ++row) {
        std::string json = "{";
        for (int column = 0; column < 3; ++column) {
          std::string text;
          const int tokens = mutator.pick(4);
          for (int t = 0; t < tokens; ++t) text += mutator.token();
          input += write_field(text, delimiter, mutator.pick(3) == 0);
          input += column < 2 ? std::string(1, delimiter) : std::string(mutator.pick(2) == 0 ? "\n" : "\r\n");
          json += std::string(column > 0 ? "," : "") + "\"" + "abc"[column] + "\":";
          json += text.empty() ? "null" : to_json(Value{text});
        }
        expected.push_back(json + "}");
      }
      if (mutator.pick(2) == 0) input.erase(input.find_last_not_of("\r\n") + 1);  // no final newline
      const DecodeOutcome outcome = decode_csv(input, "round-trip.csv", schema);
      ASSERT_TRUE(outcome.errors.empty()) << outcome.errors[0].describe() << "\ninput:\n" << input;
      ASSERT_EQ(outcome.records.size(), expected.size()) << input;
      for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(to_json(outcome.records[i]), expected[i]) << input;
    });
  }
}

}  // namespace
}  // namespace pse::adapters::csv

// What a subscriber's connector writes, fed random values, bounded in time: a copybook record
// is written or refused with the item's name (never a crash, never a record of the wrong
// length, and what is written reads back), and every CSV line reads back, through the CSV
// decoder, as exactly the values written — delimiters, quotes and line ends included.
#include "adapters/connector/copybook_writer.hpp"
#include "adapters/connector/delivery_target.hpp"
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/csv/csv_decoder.hpp"
#include "adapters/record/utf8.hpp"

#include "mutator.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace pse::connector {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr std::string_view kLayout =
    "       01 PRESTATION.\n"
    "          05 NO-SUJET      PIC X(12).\n"
    "          05 MONTANT       PIC S9(5)V99 COMP-3.\n"
    "          05 NB-SURV       PIC 9(2).\n"
    "          05 SURVIVANT OCCURS 0 TO 4 TIMES DEPENDING ON NB-SURV.\n"
    "             10 SURV-PRENOM    PIC X(15).\n"
    "             10 SURV-NAISSANCE PIC 9(8).\n";

json::value random_value(adapters::testing::Mutator& mutator) {
  switch (mutator.pick(6)) {
    case 0: return nullptr;
    case 1: return mutator.pick(2000000) - 1000000;
    case 2: return json::string(mutator.random_input(20));
    case 3: return json::string(std::to_string(mutator.pick(100000)) + "." + std::to_string(mutator.pick(1000)));
    case 4: return json::string("20" + std::to_string(10 + mutator.pick(90)) + "-0" + std::to_string(1 + mutator.pick(9)) + "-1" +
                                std::to_string(mutator.pick(10)));
    default: return mutator.pick(2) == 0;
  }
}

TEST(DeliveryFuzz, CopybookRecordsAreWrittenOrRefusedNeverMalformed) {
  auto parsed = legacy::parse_copybook(kLayout, legacy::CopybookOptions{});
  ASSERT_TRUE(parsed);
  auto layout = std::make_shared<const legacy::CopybookLayout>(std::move(parsed.value()));
  const CopybookWriter writer(layout, "NO-SUJET",
                              {{"monthly_amount", "MONTANT", "", {}, 1},
                               {"survivors", "SURVIVANT", "",
                                {{"given_names", "SURV-PRENOM", "", {}, 3}, {"birth_date", "SURV-NAISSANCE", "%Y%m%d", {}, 4}}, 2}},
                              "fuzz.yaml", 1);
  adapters::testing::Mutator mutator(20261207, {"a", "é", "\"", "0", "9", "-", ".", " "});
  legacy::RecordDecoder decoder(*layout);
  legacy::Record decoded;
  int written = 0;
  const int runs = adapters::testing::run_for(2s, 50000, [&](int) {
    json::object record{{"monthly_amount", random_value(mutator)}};
    json::array survivors;
    const int count = mutator.pick(6);
    for (int i = 0; i < count; ++i) {
      survivors.emplace_back(json::object{{"given_names", random_value(mutator)}, {"birth_date", random_value(mutator)}});
    }
    if (mutator.pick(4) > 0) record["survivors"] = std::move(survivors);
    auto bytes = writer.encode(mutator.random_input(14), record);
    if (!bytes) {
      ASSERT_EQ(bytes.error().reason, Reason::provider_error);
      ASSERT_TRUE(bytes.error().message.starts_with("cannot write ")) << bytes.error().message;
      return;
    }
    ++written;
    const std::size_t occurrences = record.contains("survivors") ? static_cast<std::size_t>(count) : 0;
    ASSERT_EQ(bytes->size(), 18 + 23 * occurrences);
    ASSERT_FALSE(decoder.decode(*bytes, decoded).has_value());
  });
  EXPECT_GT(runs, 100);
  EXPECT_GT(written, 0);
}

TEST(DeliveryFuzz, EveryCsvLineReadsBackAsWritten) {
  adapters::testing::Mutator mutator(7, {",", ";", "\"", "\"\"", "\r\n", "\n", "\r", "é", "a", " ", "1"});
  const std::vector<OutputField> fields = {{"a", "A", "", {}, 1}, {"b", "B", "", {}, 2}};
  const int runs = adapters::testing::run_for(2s, 50000, [&](int) {
    const char delimiter = mutator.pick(2) == 0 ? ',' : ';';
    const std::string subject = "S" + mutator.random_input(10);
    const std::string a = mutator.random_input(30), b = mutator.random_input(30);
    for (const std::string* text : {&subject, &a, &b}) {
      if (adapters::first_invalid_utf8(*text).has_value()) return;  // the decoder refuses it, rightly
    }
    const std::string line = csv_line(delimiter, subject, json::object{{"a", a}, {"b", b}}, fields);
    adapters::csv::CsvSchema schema;
    schema.delimiter = delimiter;
    for (const char* name : {"subject", "a", "b"}) {
      adapters::FieldSpec column;
      column.name = name;
      schema.columns.push_back(column);
    }
    const auto outcome = adapters::csv::decode_csv(line, "line.csv", schema);
    ASSERT_EQ(outcome.records.size(), 1u) << line << (outcome.errors.empty() ? "" : outcome.errors[0].reason);
    const auto* read_a = std::get_if<std::string>(outcome.records[0].find("a"));
    const auto* read_b = std::get_if<std::string>(outcome.records[0].find("b"));
    // An empty field reads as null.
    ASSERT_EQ(read_a == nullptr ? std::string() : *read_a, a) << line;
    ASSERT_EQ(read_b == nullptr ? std::string() : *read_b, b) << line;
  });
  EXPECT_GT(runs, 100);
}

}  // namespace
}  // namespace pse::connector

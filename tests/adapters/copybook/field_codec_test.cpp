// Exact decimals, and encoding records a connector assembled: every value that does not fit is
// refused with a reason, never truncated or rounded.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/decimal.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_encoder.hpp"
#include "adapters/copybook/hex.hpp"

#include <gtest/gtest.h>

namespace pse::legacy {
namespace {

using testing::to_hex;

TEST(LegacyDecimal, TextInAndOut) {
  EXPECT_EQ(decimal_to_string(-1234, 2), "-12.34");
  EXPECT_EQ(decimal_to_string(5, 2), "0.05");
  EXPECT_EQ(decimal_to_string(-5, 3), "-0.005");
  EXPECT_EQ(decimal_to_string(12, -2), "1200");
  EXPECT_EQ(decimal_to_string(0, -2), "0");
  EXPECT_EQ(decimal_to_string(0, 2), "0.00");
  const Int128 big = power_of_ten(37) * 9 + 1;  // 38 digits
  EXPECT_EQ(decimal_to_string(-big, 0), "-90000000000000000000000000000000000001");
  const auto parsed = parse_decimal("-12.340");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->unscaled, -12340);
  EXPECT_EQ(parsed->scale, 3);
  EXPECT_FALSE(parse_decimal("1.2.3"));
  EXPECT_FALSE(parse_decimal("-"));
  EXPECT_FALSE(parse_decimal("1e5"));
  EXPECT_EQ(rescale(1234, 2, 4), 123400);
  EXPECT_EQ(rescale(123400, 4, 2), 1234);
  EXPECT_FALSE(rescale(123401, 4, 2));  // would drop a digit
  EXPECT_EQ(digit_count(0), 1);
  EXPECT_EQ(digit_count(-999), 3);
}

class LegacyRecordEncoding : public ::testing::Test {
 protected:
  CopybookLayout layout_ = [] {
    auto layout = parse_copybook(
        "       01 REC.\n          05 NAME    PIC X(5).\n          05 AMOUNT  PIC S9(5)V99 COMP-3.\n"
        "          05 COUNTER PIC 9(4) COMP.\n          05 NATIVE  PIC S9(4) COMP-5.\n          05 ZONED   PIC 9(3).\n");
    EXPECT_TRUE(layout.ok());
    return std::move(layout.value());
  }();

  /// Encodes a record assembled field by field, as a connector mapping a classification would.
  std::optional<LegacyError> encode(std::string_view name, Int128 amount, int amount_scale, Int128 counter, Int128 native,
                                    Int128 zoned, std::string& bytes) {
    Record record;
    record.add_text(layout_.find("NAME"), name);
    record.add_decimal(layout_.find("AMOUNT"), amount, amount_scale);
    record.add_decimal(layout_.find("COUNTER"), counter, 0);
    record.add_decimal(layout_.find("NATIVE"), native, 0);
    record.add_decimal(layout_.find("ZONED"), zoned, 0);
    return RecordEncoder(layout_).encode(record, bytes);
  }
};

TEST_F(LegacyRecordEncoding, AssembledRecordEncodes) {
  std::string bytes;
  ASSERT_FALSE(encode("ABC", 1234, 1, 9999, -32768, 7, bytes).has_value());
  EXPECT_EQ(to_hex(bytes), "C1 C2 C3 40 40 00 12 34 0C 27 0F 80 00 F0 F0 F7");
}

TEST_F(LegacyRecordEncoding, ValuesThatDoNotFitAreRefused) {
  std::string bytes;
  auto error = encode("TOOLONG", 0, 0, 0, 0, 0, bytes);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, LegacyErrorCode::value_out_of_range);
  EXPECT_EQ(error->field, "NAME");

  error = encode("\u20AC", 0, 0, 0, 0, 0, bytes);  // no euro in EBCDIC 037
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, LegacyErrorCode::unmappable_character);

  error = encode("A", 100000, 0, 0, 0, 0, bytes);  // 6 integer digits in S9(5)V99
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, LegacyErrorCode::value_out_of_range);
  EXPECT_EQ(error->field, "AMOUNT");

  error = encode("A", 1, 3, 0, 0, 0, bytes);  // 0.001: more decimals than V99
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, LegacyErrorCode::value_out_of_range);

  error = encode("A", 0, 0, 10000, 0, 0, bytes);  // COMP 9(4) holds 4 digits (TRUNC(STD))
  ASSERT_TRUE(error);
  EXPECT_EQ(error->field, "COUNTER");

  error = encode("A", 0, 0, -1, 0, 0, bytes);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, LegacyErrorCode::sign_not_allowed);

  error = encode("A", 0, 0, 0, 32768, 0, bytes);  // COMP-5 holds the halfword range, not 4 digits
  ASSERT_TRUE(error);
  EXPECT_EQ(error->field, "NATIVE");
  EXPECT_FALSE(encode("A", 0, 0, 0, 32767, 0, bytes).has_value());
}

TEST_F(LegacyRecordEncoding, RecordsOutOfLayoutOrderAreRefused) {
  Record record;
  record.add_decimal(layout_.find("AMOUNT"), 1, 0);
  std::string bytes;
  const auto error = RecordEncoder(layout_).encode(record, bytes);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, LegacyErrorCode::wrong_value_type);
}

TEST(LegacyHexFloat, RoundTripsThroughEncoding) {
  auto layout = parse_copybook("       01 R.\n          05 F COMP-2.\n          05 S COMP-1.\n");
  ASSERT_TRUE(layout.ok());
  RecordEncoder encoder(*layout);
  RecordDecoder decoder(*layout);
  for (const double value : {0.1, -2.5, 1e-70, 7.2e75, 123456.789, -1.0 / 3.0}) {
    Record record;
    RecordEntry& entry = record.add(EntryKind::value, layout->find("F"), 0);
    entry.value_kind = ValueKind::floating;
    entry.floating = value;
    RecordEntry& single = record.add(EntryKind::value, layout->find("S"), 0);
    single.value_kind = ValueKind::floating;
    single.floating = value;
    std::string bytes;
    ASSERT_FALSE(encoder.encode(record, bytes).has_value());
    Record decoded;
    ASSERT_FALSE(decoder.decode(bytes, decoded).has_value());
    // COMP-2 keeps 56 bits of fraction (more than a double's 53); COMP-1 keeps 24.
    EXPECT_DOUBLE_EQ(decoded.entries()[0].floating, value);
    EXPECT_NEAR(decoded.entries()[1].floating, value, std::abs(value) * 1e-6);
  }
}

TEST(LegacyHexFloat, ZeroFractionIsZeroWhateverTheSignAndExponent) {
  // Found by the libFuzzer target: 0xC6000000... is "-0 × 16^6"; it decodes as 0, not -0.
  auto layout = parse_copybook("       01 R.\n          05 F COMP-2.\n          05 S COMP-1.\n");
  ASSERT_TRUE(layout.ok());
  Record record;
  ASSERT_FALSE(RecordDecoder(*layout).decode(testing::from_hex("C600000000000000 80000000"), record).has_value());
  EXPECT_EQ(to_json(record), R"({"F":0,"S":0})");
}

TEST(LegacyRecordDecoding, CountInsideAnUnchosenAlternativeIsAnErrorNotAStaleValue) {
  CopybookOptions options;
  options.code_page = CodePage::ascii;
  options.selectors.push_back({"A", "K", {{"A", "A"}, {"B", "B"}}});
  auto layout = parse_copybook(
      "       01 R.\n          05 K PIC X.\n          05 A PIC X(2).\n          05 B REDEFINES A.\n"
      "             10 CNT PIC 9(2).\n          05 T PIC X OCCURS 0 TO 3 DEPENDING ON CNT.\n",
      options);
  ASSERT_TRUE(layout.ok()) << layout.error().describe();
  RecordDecoder decoder(*layout);
  Record record;
  ASSERT_FALSE(decoder.decode("B02xy", record).has_value());
  EXPECT_EQ(to_json(record), R"({"K":"B","B":{"CNT":2},"T":["x","y"]})");
  const auto error = decoder.decode("Axxyz", record);  // CNT is not read: the 2 above must not be reused
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, LegacyErrorCode::occurs_out_of_range);
  EXPECT_EQ(error->field, "T");
}

}  // namespace
}  // namespace pse::legacy

namespace pse::legacy {
namespace {

struct EditedCase {
  const char* picture;
  Int128 unscaled;
  int scale;
  const char* text;  // as an IBM program's MOVE would edit it
};

class LegacyEditedPicture : public ::testing::TestWithParam<EditedCase> {};

TEST_P(LegacyEditedPicture, EncodesAsCobolEditsAndDecodesBack) {
  const EditedCase& edited = GetParam();
  CopybookOptions options;
  options.code_page = CodePage::ascii;
  auto layout = parse_copybook(std::string("       01 R.\n          05 E PIC ") + edited.picture + ".\n", options);
  ASSERT_TRUE(layout.ok()) << layout.error().describe();
  Record record;
  record.add_decimal(layout->find("E"), edited.unscaled, edited.scale);
  std::string bytes;
  ASSERT_FALSE(RecordEncoder(*layout).encode(record, bytes).has_value());
  EXPECT_EQ(bytes, edited.text);
  Record decoded;
  ASSERT_FALSE(RecordDecoder(*layout).decode(bytes, decoded).has_value());
  const RecordEntry& value = decoded.entries().front();
  EXPECT_EQ(rescale(value.unscaled, value.scale, edited.scale), edited.unscaled);
}

INSTANTIATE_TEST_SUITE_P(
    Pictures, LegacyEditedPicture,
    ::testing::Values(EditedCase{"ZZ,ZZ9.99-", -123456, 2, " 1,234.56-"}, EditedCase{"ZZ,ZZ9.99-", 5, 2, "     0.05 "},
                      EditedCase{"-ZZ9", -5, 0, "-  5"}, EditedCase{"-ZZ9", 5, 0, "   5"},
                      EditedCase{"+++9", -12, 0, " -12"}, EditedCase{"+++9", 0, 0, "  +0"},
                      EditedCase{"---9.99", -50, 2, "  -0.50"}, EditedCase{"$$$,$$9.99", 123456, 2, " $1,234.56"},
                      EditedCase{"$**9.99", 1250, 2, "$*12.50"}, EditedCase{"ZZZ.ZZ", 0, 2, "      "},
                      EditedCase{"ZZZ.ZZ", 1, 2, "   .01"}, EditedCase{"99/99/99", 221126, 0, "22/11/26"},
                      EditedCase{"9(3)B9(3)", 123456, 0, "123 456"}, EditedCase{"999.99DB", -100, 2, "001.00DB"},
                      EditedCase{"999.99CR", 100, 2, "001.00  "}),
    [](const ::testing::TestParamInfo<EditedCase>& edited) { return "case" + std::to_string(edited.index); });

}  // namespace
}  // namespace pse::legacy

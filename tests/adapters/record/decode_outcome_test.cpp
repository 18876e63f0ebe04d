// Error policies and counts: nothing is dropped silently, and a rejected file delivers nothing.
#include "adapters/record/decode_outcome.hpp"
#include "adapters/record/utf8.hpp"

#include "golden_support.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pse::adapters {
namespace {

Record one_field(std::int64_t value) {
  Record record;
  record.add("n", value);
  return record;
}

DecodeError error_for(std::uint64_t record) {
  DecodeError error;
  error.file = "in.csv";
  error.record = record;
  error.line = record + 1;
  error.byte_offset = 10 * record;
  error.field = "n";
  error.reason = "not an integer: 'x'";
  error.raw = "x";
  return error;
}

TEST(DecodeOutcome, SkipRecordKeepsGoodRecordsAndCountsTheBad) {
  OutcomeBuilder builder(ErrorPolicy::skip_record);
  builder.accept(one_field(1));
  EXPECT_TRUE(builder.reject(error_for(2)));
  builder.accept(one_field(3));
  const DecodeOutcome outcome = std::move(builder).finish();
  EXPECT_FALSE(outcome.file_rejected);
  EXPECT_EQ(outcome.records.size(), 2U);
  EXPECT_EQ(outcome.counts, (DecodeCounts{3, 2, 1}));
  ASSERT_EQ(outcome.errors.size(), 1U);
}

TEST(DecodeOutcome, RejectFileDeliversNothing) {
  OutcomeBuilder builder(ErrorPolicy::reject_file);
  builder.accept(one_field(1));
  EXPECT_FALSE(builder.reject(error_for(2)));
  const DecodeOutcome outcome = std::move(builder).finish();
  EXPECT_TRUE(outcome.file_rejected);
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_EQ(outcome.counts, (DecodeCounts{2, 0, 2}));
}

TEST(DecodeOutcome, FileLevelErrorRejectsWhateverThePolicy) {
  OutcomeBuilder builder(ErrorPolicy::skip_record);
  builder.accept(one_field(1));
  builder.reject_file(error_for(0));
  const DecodeOutcome outcome = std::move(builder).finish();
  EXPECT_TRUE(outcome.file_rejected);
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_EQ(outcome.counts, (DecodeCounts{1, 0, 1}));
}

TEST(DecodeOutcome, DescribeNamesFileRecordLineOffsetAndField) {
  EXPECT_EQ(error_for(3).describe(), "in.csv: record 3 (line 4, byte 30), field 'n': not an integer: 'x'");
  DecodeError file_error;
  file_error.file = "doc.xml";
  file_error.reason = "DOCTYPE refused";
  EXPECT_EQ(file_error.describe(), "doc.xml: file: DOCTYPE refused");
}

TEST(DecodeOutcome, RejectFileIsJsonLines) {
  pse::testing::TempDir directory;
  DecodeError latin1 = error_for(2);
  latin1.raw = "Caf\xe9";
  ASSERT_TRUE(write_reject_file(directory / "rejects.jsonl", {error_for(1), latin1}).ok());
  EXPECT_EQ(testing::read_bytes(directory / "rejects.jsonl"),
            "{\"file\":\"in.csv\",\"record\":1,\"line\":2,\"byte_offset\":10,\"field\":\"n\","
            "\"reason\":\"not an integer: 'x'\",\"raw\":\"x\"}\n"
            "{\"file\":\"in.csv\",\"record\":2,\"line\":3,\"byte_offset\":20,\"field\":\"n\","
            "\"reason\":\"not an integer: 'x'\",\"raw_hex\":\"436166e9\"}\n");
  EXPECT_FALSE(write_reject_file(directory / "missing" / "rejects.jsonl", {}).ok());
}

TEST(DecodeOutcome, RawBytesAreBounded) {
  OutcomeBuilder builder(ErrorPolicy::skip_record);
  DecodeError huge = error_for(1);
  huge.raw.assign(1 << 20, 'a');
  builder.reject(huge);
  EXPECT_EQ(std::move(builder).finish().errors[0].raw.size(), max_raw_bytes);
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(first_invalid_utf8("plain"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("Côté €𝄞"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("ab\xe9"), 2U);
  EXPECT_EQ(first_invalid_utf8("\xc0\xaf"), 0U);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("x\xed\xa0\x80"), 1U);      // a surrogate
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0U);   // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\xe2\x82"), 0U);           // truncated
}

}  // namespace
}  // namespace pse::adapters

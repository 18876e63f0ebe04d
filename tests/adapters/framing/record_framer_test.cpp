// Record framing: every format, and every way a file can end badly.
#include "adapters/framing/record_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pse::legacy {
namespace {

using namespace std::string_literals;

/// Frames the whole of `data`; the error (if any) ends the list.
struct Framed {
  std::vector<std::string> records;
  std::vector<std::uint64_t> offsets;
  std::optional<LegacyError> error;
};

Framed frame_all(std::string_view data, FramingOptions options) {
  Framed result;
  RecordFramer framer(data, options, "input.dat");
  for (;;) {
    auto next = framer.next();
    if (!next) {
      result.error = next.error();
      break;
    }
    if (!next.value()) break;
    result.records.emplace_back(next.value()->bytes);
    result.offsets.push_back(next.value()->byte_offset);
  }
  return result;
}

TEST(LegacyFraming, FixedRecords) {
  FramingOptions options;
  options.record_length = 3;
  const auto framed = frame_all("abcdefghi", options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"abc", "def", "ghi"}));
  EXPECT_EQ(framed.offsets, (std::vector<std::uint64_t>{0, 3, 6}));
  EXPECT_FALSE(framed.error);
}

TEST(LegacyFraming, FixedTruncatedLastRecordNamesRecordAndOffset) {
  FramingOptions options;
  options.record_length = 4;
  const auto framed = frame_all("abcdefghij", options);
  EXPECT_EQ(framed.records.size(), 2u);
  ASSERT_TRUE(framed.error);
  EXPECT_EQ(framed.error->code, LegacyErrorCode::truncated_record);
  EXPECT_EQ(framed.error->record_number, 3u);
  EXPECT_EQ(framed.error->byte_offset, 8u);
  EXPECT_FALSE(framed.error->file_level);
  EXPECT_EQ(framed.error->describe(), "input.dat: record 3, byte 8: truncated_record: last record has 2 of 4 bytes");
}

TEST(LegacyFraming, VariableBigEndianRdwCountingItself) {
  FramingOptions options;
  options.format = RecordFormat::variable;
  const auto framed = frame_all("\x00\x07\x00\x00" "abc" "\x00\x05\x00\x00" "d"s, options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"abc", "d"}));
  EXPECT_EQ(framed.offsets, (std::vector<std::uint64_t>{4, 11}));
  EXPECT_FALSE(framed.error);
}

TEST(LegacyFraming, VariableLittleEndianRdwNotCountingItself) {
  FramingOptions options;
  options.format = RecordFormat::variable;
  options.rdw_byte_order = ByteOrder::little_endian;
  options.rdw_counts_itself = false;
  const auto framed = frame_all("\x03\x00\x00\x00" "abc" "\x00\x00\x00\x00" "\x01\x00\x00\x00" "d"s, options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"abc", "", "d"}));
  EXPECT_FALSE(framed.error);
}

TEST(LegacyFraming, VariableRecordRunningPastTheEndIsTruncated) {
  FramingOptions options;
  options.format = RecordFormat::variable;
  const auto framed = frame_all("\x00\x07\x00\x00" "abc" "\x00\x09\x00\x00" "de"s, options);
  EXPECT_EQ(framed.records.size(), 1u);
  ASSERT_TRUE(framed.error);
  EXPECT_EQ(framed.error->code, LegacyErrorCode::truncated_record);
  EXPECT_EQ(framed.error->record_number, 2u);
  EXPECT_EQ(framed.error->byte_offset, 11u);
}

TEST(LegacyFraming, RdwWithReservedBytesOrTooShortIsAFileLevelError) {
  FramingOptions options;
  options.format = RecordFormat::variable;
  auto framed = frame_all("\x00\x07\x01\x00" "abc"s, options);
  ASSERT_TRUE(framed.error);
  EXPECT_EQ(framed.error->code, LegacyErrorCode::bad_record_descriptor);
  EXPECT_TRUE(framed.error->file_level);
  framed = frame_all("\x00\x02\x00\x00"s, options);
  ASSERT_TRUE(framed.error);
  EXPECT_EQ(framed.error->code, LegacyErrorCode::bad_record_descriptor);
}

TEST(LegacyFraming, VariableBlockedWithBlockDescriptors) {
  FramingOptions options;
  options.format = RecordFormat::variable;
  options.block_descriptors = true;
  // Block 1: BDW(4) + RDW(4)+"ab" + RDW(4)+"c" = 15; block 2: BDW + RDW+"de" = 10.
  const auto data = "\x00\x0F\x00\x00" "\x00\x06\x00\x00" "ab" "\x00\x05\x00\x00" "c"
                    "\x00\x0A\x00\x00" "\x00\x06\x00\x00" "de"s;
  const auto framed = frame_all(data, options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"ab", "c", "de"}));
  EXPECT_FALSE(framed.error);
}

TEST(LegacyFraming, TextLinesLfCrlfMissingLastNewlineAndEofMarker) {
  FramingOptions options;
  options.format = RecordFormat::text;
  auto framed = frame_all("one\r\ntwo\nthree", options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"one", "two", "three"}));
  framed = frame_all("one\r\ntwo\r\n\x1A", options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"one", "two"}));
  framed = frame_all("a\n\nb\n", options);
  EXPECT_EQ(framed.records, (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(framed.offsets, (std::vector<std::uint64_t>{0, 2, 3}));
  framed = frame_all("", options);
  EXPECT_TRUE(framed.records.empty());
}

TEST(LegacyFraming, LongLineIsRejected) {
  FramingOptions options;
  options.format = RecordFormat::text;
  options.max_record_length = 4;
  const auto framed = frame_all("abcd\nabcde\n", options);
  EXPECT_EQ(framed.records.size(), 1u);
  ASSERT_TRUE(framed.error);
  EXPECT_EQ(framed.error->code, LegacyErrorCode::record_too_long);
}

}  // namespace
}  // namespace pse::legacy

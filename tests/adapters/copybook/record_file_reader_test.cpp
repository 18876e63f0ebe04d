// The file reader: reject policies, the reject file, counts, and header/trailer control totals.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_file_reader.hpp"
#include "adapters/copybook/hex.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pse::legacy {
namespace {

using testing::from_hex;

std::string ebcdic(std::string_view text) {
  std::string bytes;
  EXPECT_FALSE(append_from_utf8(CodePage::ebcdic_037, text, bytes).has_value());
  return bytes;
}

CopybookLayout layout_of(std::string_view text) {
  auto layout = parse_copybook(text);
  EXPECT_TRUE(layout.ok());
  return std::move(layout.value());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

class LegacyRecordFileReader : public ::testing::Test {
 protected:
  CopybookLayout detail_ = layout_of("       01 REC.\n          05 REC-TYPE PIC X.\n          05 ACCOUNT PIC 9(4).\n"
                                     "          05 AMOUNT PIC S9(5)V99 COMP-3.\n");
  CopybookLayout header_ = layout_of("       01 HDR.\n          05 H-TYPE PIC X.\n          05 H-DATE PIC 9(8).\n");
  CopybookLayout trailer_ = layout_of("       01 TRL.\n          05 T-TYPE PIC X.\n          05 T-COUNT PIC 9(4).\n"
                                      "          05 T-TOTAL PIC S9(5)V99 COMP-3.\n");

  static std::string detail(std::string_view account, std::string_view packed_amount_hex) {
    return ebcdic("D") + ebcdic(account) + from_hex(packed_amount_hex);
  }

  FileReadOptions options(RejectPolicy policy) const {
    FileReadOptions result;
    result.framing.record_length = 9;
    result.policy = policy;
    result.reject_file = dir_ / "rejects.jsonl";
    result.file_name = "accounts.dat";
    return result;
  }

  pse::testing::TempDir dir_;
};

TEST_F(LegacyRecordFileReader, SkipRecordWritesEachRejectWithItsReasonAndCounts) {
  const std::string data = detail("0001", "0000100C") + detail("00X2", "0000200C") + detail("0003", "00003A0C") + detail("0004", "0000400D");
  std::vector<std::string> accounts;
  const auto summary = read_records(data, detail_, options(RejectPolicy::skip_record),
                                    [&](const Record& record, const Frame&) { accounts.push_back(to_json(record)); });
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(summary->read, 4u);
  EXPECT_EQ(summary->accepted, 2u);
  EXPECT_EQ(summary->rejected, 2u);
  EXPECT_EQ(accounts.back(), R"({"REC-TYPE":"D","ACCOUNT":4,"AMOUNT":"-4.00"})");
  const std::string rejects = read_file(dir_ / "rejects.jsonl");
  EXPECT_EQ(rejects,
            "{\"file\":\"accounts.dat\",\"record\":2,\"offset\":12,\"field\":\"ACCOUNT\",\"reason\":\"bad_digit\","
            "\"message\":\"byte 0xE7 is not a digit\",\"bytes\":\"C4F0F0E7F20000200C\"}\n"
            "{\"file\":\"accounts.dat\",\"record\":3,\"offset\":25,\"field\":\"AMOUNT\",\"reason\":\"bad_packed_nibble\","
            "\"message\":\"byte 0x3A holds a nibble above 9\",\"bytes\":\"C4F0F0F0F300003A0C\"}\n");
}

TEST_F(LegacyRecordFileReader, RejectFileStopsAtTheFirstBadRecord) {
  const std::string data = detail("0001", "0000100C") + detail("00X2", "0000200C");
  int accepted = 0;
  const auto summary = read_records(data, detail_, options(RejectPolicy::reject_file), [&](const Record&, const Frame&) { ++accepted; });
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().describe(), "accounts.dat: record 2, byte 12: field ACCOUNT: bad_digit: byte 0xE7 is not a digit");
  EXPECT_TRUE(summary.error().file_level);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "rejects.jsonl"));
}

TEST_F(LegacyRecordFileReader, TruncatedLastRecordIsRejectedUnderSkipRecord) {
  const std::string data = detail("0001", "0000100C") + ebcdic("D00");
  const auto summary = read_records(data, detail_, options(RejectPolicy::skip_record), [](const Record&, const Frame&) {});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->read, 2u);
  EXPECT_EQ(summary->rejected, 1u);
  EXPECT_NE(read_file(dir_ / "rejects.jsonl").find("\"reason\":\"truncated_record\""), std::string::npos);
}

TEST_F(LegacyRecordFileReader, BadRecordDescriptorFailsTheFileEvenUnderSkipRecord) {
  FileReadOptions read_options = options(RejectPolicy::skip_record);
  read_options.framing.format = RecordFormat::variable;
  const std::string data = from_hex("000D0000") + detail("0001", "0000100C") + from_hex("000D0100") + detail("0002", "0000100C");
  const auto summary = read_records(data, detail_, read_options, [](const Record&, const Frame&) {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, LegacyErrorCode::bad_record_descriptor);
  EXPECT_EQ(summary.error().record_number, 2u);
}

TEST_F(LegacyRecordFileReader, ControlTotalsThatMatch) {
  FileReadOptions read_options = options(RejectPolicy::reject_file);
  read_options.totals = {&header_, &trailer_, "T-COUNT", "T-TOTAL", "AMOUNT"};
  const std::string data = ebcdic("H20261122") + detail("0001", "0012345C") + detail("0002", "0000045D") +
                           ebcdic("T0002") + from_hex("0012300C");
  int accepted = 0;
  const auto summary = read_records(data, detail_, read_options, [&](const Record&, const Frame&) { ++accepted; });
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(summary->read, 2u);
  EXPECT_EQ(summary->header_json, R"({"H-TYPE":"H","H-DATE":20261122})");
  EXPECT_EQ(summary->trailer_json, R"({"T-TYPE":"T","T-COUNT":2,"T-TOTAL":"123.00"})");
}

TEST_F(LegacyRecordFileReader, ControlTotalsThatDoNotMatchFailTheFile) {
  FileReadOptions read_options = options(RejectPolicy::skip_record);
  read_options.totals = {&header_, &trailer_, "T-COUNT", "T-TOTAL", "AMOUNT"};
  const std::string header = ebcdic("H20261122");
  const std::string details = detail("0001", "0012345C") + detail("0002", "0000045D");
  auto summary = read_records(header + details + ebcdic("T0003") + from_hex("0012300C"), detail_, read_options,
                              [](const Record&, const Frame&) {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, LegacyErrorCode::control_total_mismatch);
  EXPECT_EQ(summary.error().record_number, 4u);
  EXPECT_NE(summary.error().message.find("T-COUNT is 3, the file has 2 data records"), std::string::npos);

  summary = read_records(header + details + ebcdic("T0002") + from_hex("0012301C"), detail_, read_options,
                         [](const Record&, const Frame&) {});
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.error().message.find("T-TOTAL is 123.01, the accepted records sum to 123.00"), std::string::npos);

  // A rejected record does not count towards the total: the file no longer balances.
  summary = read_records(header + detail("0001", "0012345C") + detail("0002", "00000A5D") + ebcdic("T0002") + from_hex("0012300C"),
                         detail_, read_options, [](const Record&, const Frame&) {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, LegacyErrorCode::control_total_mismatch);

  summary = read_records(header, detail_, read_options, [](const Record&, const Frame&) {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, LegacyErrorCode::missing_trailer);
}

TEST_F(LegacyRecordFileReader, ShortTextLinesArePaddedWhenAsked) {
  CopybookOptions ascii;
  ascii.code_page = CodePage::ascii;
  auto layout = parse_copybook("       01 L.\n          05 CODE-ID PIC X(3).\n          05 QTY PIC 9(2).\n"
                               "          05 NOTE PIC X(10).\n", ascii);
  ASSERT_TRUE(layout.ok());
  FileReadOptions read_options = options(RejectPolicy::reject_file);
  read_options.framing.format = RecordFormat::text;
  const std::string data = "ABC01Trimmed\r\nDEF02\r\n";
  EXPECT_FALSE(read_records(data, *layout, read_options, [](const Record&, const Frame&) {}).ok());
  read_options.pad_short_records = true;
  std::vector<std::string> lines;
  const auto summary = read_records(data, *layout, read_options, [&](const Record& record, const Frame&) { lines.push_back(to_json(record)); });
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(lines, (std::vector<std::string>{R"({"CODE-ID":"ABC","QTY":1,"NOTE":"Trimmed"})", R"({"CODE-ID":"DEF","QTY":2,"NOTE":""})"}));
}

TEST_F(LegacyRecordFileReader, ReadsFromAFileAndNamesIt) {
  const auto path = dir_.write("input.dat", detail("0001", "0000100C") + detail("00X1", "0000100C"));
  FileReadOptions read_options = options(RejectPolicy::reject_file);
  read_options.file_name.clear();
  const auto summary = read_record_file(path, detail_, read_options, [](const Record&, const Frame&) {});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().file, "input.dat");
  EXPECT_EQ(summary.error().record_number, 2u);
  EXPECT_FALSE(read_record_file(dir_ / "missing.dat", detail_, read_options, [](const Record&, const Frame&) {}).ok());
}

}  // namespace
}  // namespace pse::legacy

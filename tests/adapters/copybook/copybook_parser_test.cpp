// The copybook parser: reference format, clauses, sizes and offsets, and errors that name the line.
#include "adapters/copybook/copybook_parser.hpp"

#include <gtest/gtest.h>

namespace pse::legacy {
namespace {

CopybookLayout parse_ok(std::string_view text, CopybookOptions options = {}) {
  auto layout = parse_copybook(text, options);
  EXPECT_TRUE(layout.ok()) << (layout.ok() ? "" : layout.error().describe());
  return std::move(layout.value());
}

LegacyError parse_error(std::string_view text, CopybookOptions options = {}) {
  auto layout = parse_copybook(text, options, "bad.cpy");
  EXPECT_FALSE(layout.ok());
  return layout.ok() ? LegacyError(LegacyErrorCode::io_error, "parsed") : layout.error();
}

/// A fixed-format line: sequence number, indicator, code in columns 8–72, identification area.
std::string fixed_line(std::string_view sequence, char indicator, std::string_view code, std::string_view identification) {
  std::string line(sequence);
  line.push_back(indicator);
  line += code;
  line.resize(72, ' ');
  return line + std::string(identification) + "\n";
}

TEST(LegacyCopybookParser, SequenceAreaIndicatorAndIdentificationAreaAreIgnored) {
  const auto layout = parse_ok(fixed_line("000100", ' ', "01  CUSTOMER-RECORD.", "CUST0001") +
                               fixed_line("000200", '*', "    A COMMENT WITH PIC 9(99) TO IGNORE", "CUST0002") +
                               fixed_line("000300", ' ', "    05  CUSTOMER-ID        PIC 9(6).", "CUST0003") +
                               fixed_line("000400", '/', "    PAGE EJECT COMMENT", "") +
                               fixed_line("000500", ' ', "    05  CUSTOMER-NAME      PIC X(20).", "XXXX.XX.") +
                               fixed_line("000600", 'D', "    05  DEBUG-ONLY         PIC X(99).", "") +
                               fixed_line("000700", ' ', "    05  FILLER             PIC X(4).", "99999999"));
  EXPECT_EQ(layout.record_size(), 30u);
  EXPECT_EQ(layout.root().name, "CUSTOMER-RECORD");
  ASSERT_EQ(layout.root().children.size(), 3u);
  EXPECT_EQ(layout.find("CUSTOMER-NAME")->offset, 6u);
  EXPECT_TRUE(layout.root().children[2]->is_filler);
}

TEST(LegacyCopybookParser, SizesByUsage) {
  const auto layout = parse_ok(
      "       01 R.\n"
      "          05 A PIC S9(4) COMP.\n"
      "          05 B PIC S9(9) BINARY.\n"
      "          05 C PIC 9(18) COMP-4.\n"
      "          05 D PIC S9(7)V99 COMP-3.\n"
      "          05 E PIC S9(31) PACKED-DECIMAL.\n"
      "          05 F COMP-1.\n"
      "          05 G COMP-2.\n"
      "          05 H PIC S9(5)V99 SIGN LEADING SEPARATE.\n"
      "          05 I PIC S9(3) USAGE IS COMPUTATIONAL-5.\n"
      "          05 J PIC ZZ,ZZ9.99-.\n"
      "          05 K PIC PPP999.\n"
      "          05 L PIC 999PPP.\n");
  const std::vector<std::pair<const char*, std::size_t>> sizes = {
      {"A", 2}, {"B", 4}, {"C", 8}, {"D", 5}, {"E", 16}, {"F", 4}, {"G", 8}, {"H", 8}, {"I", 2}, {"J", 10}, {"K", 3}, {"L", 3}};
  std::size_t offset = 0;
  for (const auto& [name, size] : sizes) {
    const LayoutNode* node = layout.find(name);
    ASSERT_NE(node, nullptr) << name;
    EXPECT_EQ(node->size, size) << name;
    EXPECT_EQ(node->offset, offset) << name;
    offset += size;
  }
  EXPECT_EQ(layout.record_size(), offset);
  EXPECT_EQ(layout.find("D")->picture.scale, 2);
  EXPECT_EQ(layout.find("J")->picture.scale, 2);
  EXPECT_EQ(layout.find("J")->picture.digits, 7);
  EXPECT_EQ(layout.find("K")->picture.scale, 6);
  EXPECT_EQ(layout.find("L")->picture.scale, -3);
  EXPECT_TRUE(layout.find("H")->sign_separate);
  EXPECT_EQ(layout.find("H")->sign_position, SignPosition::leading);
}

TEST(LegacyCopybookParser, GroupUsageIsInheritedAnd88LevelsIgnored) {
  const auto layout = parse_ok(
      "       01 R.\n"
      "          05 AMOUNTS COMP-3.\n"
      "             10 A1 PIC S9(5).\n"
      "                88 A1-ZERO VALUE 0.\n"
      "             10 A2 PIC S9(5).\n"
      "          05 STATUS-CODE PIC X.\n"
      "             88 ACTIVE VALUE 'A' 'B'\n"
      "                        'C'.\n"
      "             88 CLOSED VALUES ARE 'X' THRU 'Z'.\n");
  EXPECT_EQ(layout.find("A1")->usage, Usage::packed);
  EXPECT_EQ(layout.find("A2")->offset, 3u);
  EXPECT_EQ(layout.record_size(), 7u);
}

TEST(LegacyCopybookParser, OccursRedefinesAndDependingOn) {
  const auto layout = parse_ok(
      "       01 R.\n"
      "          05 KIND PIC X.\n"
      "          05 BODY PIC X(10).\n"
      "          05 BODY-NUM REDEFINES BODY.\n"
      "             10 N PIC 9(4) OCCURS 2 TIMES.\n"
      "          05 ITEM-COUNT PIC 9(2).\n"
      "          05 ITEMS OCCURS 0 TO 5 TIMES DEPENDING ON ITEM-COUNT\n"
      "                   ASCENDING KEY IS ITEM-CODE INDEXED BY IX.\n"
      "             10 ITEM-CODE PIC X(3).\n"
      "             10 ITEM-QTY  PIC S9(3) COMP-3.\n");
  const LayoutNode* body = layout.find("BODY");
  ASSERT_EQ(body->alternatives.size(), 2u);
  EXPECT_EQ(layout.find("BODY-NUM")->offset, 1u);
  EXPECT_EQ(layout.find("BODY-NUM")->size, 8u);
  EXPECT_EQ(layout.find("ITEM-COUNT")->offset, 11u);
  const LayoutNode* items = layout.find("ITEMS");
  EXPECT_EQ(items->size, 5u);
  EXPECT_EQ(items->occurs_max, 5u);
  EXPECT_EQ(items->depending_on, layout.find("ITEM-COUNT"));
  EXPECT_TRUE(layout.variable_size());
  EXPECT_EQ(layout.record_size(), 13u + 25u);
}

TEST(LegacyCopybookParser, SeveralRecordsShareTheRecordArea) {
  const auto layout = parse_ok(
      "       01 HEADER-REC.\n          05 H-TYPE PIC X.\n          05 H-DATE PIC 9(8).\n"
      "       01 DETAIL-REC.\n          05 D-TYPE PIC X.\n          05 D-AMOUNT PIC S9(9)V99 COMP-3.\n");
  EXPECT_EQ(layout.record_size(), 9u);
  EXPECT_EQ(layout.find("DETAIL-REC")->redefines, layout.find("HEADER-REC"));
}

TEST(LegacyCopybookParser, FreeFormatAndTopLevelWithout01) {
  CopybookOptions options;
  options.format = CopybookFormat::free;
  const auto layout = parse_ok("* a comment\n05 A PIC X(2). *> trailing comment\n05 B PIC 9.\n", options);
  EXPECT_EQ(layout.record_size(), 3u);
  EXPECT_EQ(layout.root().children.size(), 2u);
}

TEST(LegacyCopybookParser, DescribeListsOffsetsAndSizes) {
  const auto layout = parse_ok("       01 R.\n          05 A PIC X(3).\n          05 B PIC S9(5) COMP-3.\n");
  const std::string text = layout.describe();
  EXPECT_NE(text.find("B"), std::string::npos);
  EXPECT_NE(text.find("offset 3 size 3 PIC S9(5) COMP-3"), std::string::npos) << text;
  EXPECT_NE(text.find("record size 6"), std::string::npos);
}

TEST(LegacyCopybookParser, ErrorsNameTheLine) {
  auto error = parse_error("       01 R.\n          05 A PIC X(3).\n          05 B PIC Q(2).\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_syntax);
  EXPECT_EQ(error.line, 3u);
  EXPECT_EQ(error.file, "bad.cpy");
  EXPECT_NE(error.describe().find("bad.cpy: line 3"), std::string::npos);

  error = parse_error("       01 R.\n          05 A PIC S9(4) COMP SYNC.\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_unsupported);
  error = parse_error("       01 R.\n          05 A.\n");
  EXPECT_EQ(error.line, 2u);
  error = parse_error("       01 R.\n          05 A PIC X(3)\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_syntax);
  error = parse_error("       01 R.\n          05 N PIC 9.\n          05 T PIC X OCCURS 1 TO 3 DEPENDING ON NOPE.\n");
  EXPECT_EQ(error.line, 3u);
  error = parse_error("       01 R.\n          05 A PIC X REDEFINES NOPE.\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_syntax);
  error = parse_error("       COPY OTHERBOOK.\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_unsupported);
  error = parse_error("       01 R.\n          05 A PIC X VALUE 'UNTERMINATED.\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_syntax);
  error = parse_error("       01 R.\n          05 A PIC X(3) COMP-3.\n");
  EXPECT_EQ(error.code, LegacyErrorCode::copybook_syntax);
}

TEST(LegacyCopybookParser, CodePagePerFieldIsInheritedFromItsGroup) {
  CopybookOptions options;
  options.code_page = CodePage::ebcdic_037;
  options.field_code_pages = {{"french-part", CodePage::ebcdic_1147}, {"NOTE", CodePage::utf8}};
  const auto layout = parse_ok(
      "       01 R.\n          05 ID PIC X(2).\n          05 FRENCH-PART.\n             10 NOM PIC X(5).\n"
      "             10 NOTE PIC X(5).\n",
      options);
  EXPECT_EQ(layout.find("ID")->code_page, CodePage::ebcdic_037);
  EXPECT_EQ(layout.find("NOM")->code_page, CodePage::ebcdic_1147);
  EXPECT_EQ(layout.find("NOTE")->code_page, CodePage::utf8);  // the nearest setting wins
}

TEST(LegacyCopybookParser, SelectorsAreChecked) {
  CopybookOptions options;
  options.selectors.push_back({"BODY-A", "KIND", {{"A", "BODY-A"}, {"B", "BODY-B"}}});
  const std::string text =
      "       01 R.\n          05 KIND PIC X.\n          05 BODY-A PIC X(4).\n          05 BODY-B REDEFINES BODY-A PIC 9(4).\n";
  const auto layout = parse_ok(text, options);
  EXPECT_EQ(layout.find("BODY-A")->selector_field, layout.find("KIND"));
  options.selectors[0].cases[1].alternative = "BODY-C";
  EXPECT_FALSE(parse_copybook(text, options).ok());
}

}  // namespace
}  // namespace pse::legacy

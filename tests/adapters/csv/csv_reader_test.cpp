// The CSV tokenizer alone: fields, offsets, lines, and the syntax it refuses.
#include "adapters/csv/csv_reader.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::csv {
namespace {

// Every record as "field|field|…", syntax errors as "!offset:reason".
std::vector<std::string> tokenize(std::string_view input, char delimiter = ',') {
  CsvReader reader(input, delimiter);
  std::vector<CsvField> fields;
  std::vector<std::string> records;
  std::string scratch;
  while (true) {
    CsvSyntaxError error;
    const auto step = reader.next(fields, error);
    if (step == CsvReader::Step::end) break;
    if (step == CsvReader::Step::syntax_error) {
      records.push_back("!" + std::to_string(error.offset) + ":" + error.reason);
      continue;
    }
    std::string text;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) text += "|";
      text += fields[i].value(scratch);
    }
    records.push_back(text);
  }
  return records;
}

using Records = std::vector<std::string>;

TEST(CsvReader, LineEndings) {
  EXPECT_EQ(tokenize("a,b\r\nc,d\r\n"), (Records{"a|b", "c|d"}));
  EXPECT_EQ(tokenize("a,b\nc,d"), (Records{"a|b", "c|d"}));
  EXPECT_EQ(tokenize("a,b\r\nc,d\r"), (Records{"a|b", "c|d"}));
  EXPECT_EQ(tokenize("a\rb,c\n"), (Records{"a\rb|c"}));
  EXPECT_EQ(tokenize(""), Records{});
  EXPECT_EQ(tokenize("\n"), Records{""});
  EXPECT_EQ(tokenize("a,,\n"), Records{"a||"});
}

TEST(CsvReader, QuotedFields) {
  EXPECT_EQ(tokenize("\"a,b\",\"c\"\"d\"\"\",\"\"\n"), Records{"a,b|c\"d\"|"});
  EXPECT_EQ(tokenize("\"line1\r\nline2\",x"), Records{"line1\r\nline2|x"});
  EXPECT_EQ(tokenize("\"\"\"\"\n"), Records{"\""});
}

TEST(CsvReader, ByteOrderMarkIsSkippedButOffsetsCountIt) {
  CsvReader reader("\xEF\xBB\xBF" "a,b\n", ',');
  std::vector<CsvField> fields;
  CsvSyntaxError error;
  ASSERT_EQ(reader.next(fields, error), CsvReader::Step::record);
  EXPECT_TRUE(reader.had_byte_order_mark());
  ASSERT_EQ(fields.size(), 2U);
  EXPECT_EQ(fields[0].text, "a");
  EXPECT_EQ(fields[0].offset, 3U);
  EXPECT_EQ(fields[1].offset, 5U);
}

TEST(CsvReader, SemicolonDelimiter) {
  EXPECT_EQ(tokenize("1,5;\"a;b\";c\n", ';'), Records{"1,5|a;b|c"});
}

TEST(CsvReader, SyntaxErrorsAreReportedAndTheReaderResynchronises) {
  EXPECT_EQ(tokenize("a,b\"c,d\ne,f\n"), (Records{"!3:quote inside an unquoted field", "e|f"}));
  EXPECT_EQ(tokenize("\"ab\"c,d\ne,f\n"), (Records{"!4:text after a closing quote", "e|f"}));
  EXPECT_EQ(tokenize("a,b\n\"never closed,c\nd,e\n"), (Records{"a|b", "!4:quoted field is never closed"}));
}

TEST(CsvReader, LinesCountNewlinesInsideQuotes) {
  CsvReader reader("a\n\"x\ny\nz\"\nb\n", ',');
  std::vector<CsvField> fields;
  CsvSyntaxError error;
  std::vector<std::uint64_t> lines;
  while (reader.next(fields, error) == CsvReader::Step::record) lines.push_back(reader.record_line());
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{1, 2, 5}));
}

}  // namespace
}  // namespace pse::adapters::csv

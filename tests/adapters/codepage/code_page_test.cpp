// Code pages: the characters that tell the EBCDIC variants apart, errors with offsets, names.
#include "adapters/codepage/code_page.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pse::legacy {
namespace {

std::string decode(CodePage page, std::string_view bytes) {
  std::string text;
  const auto error = append_as_utf8(page, bytes, text);
  EXPECT_FALSE(error.has_value());
  return text;
}

std::string encode(CodePage page, std::string_view text) {
  std::string bytes;
  const auto error = append_from_utf8(page, text, bytes);
  EXPECT_FALSE(error.has_value());
  return bytes;
}

TEST(LegacyCodePage, BracketsDifferBetween037And1047) {
  EXPECT_EQ(decode(CodePage::ebcdic_037, "\xBA\xBB"), "[]");
  EXPECT_EQ(decode(CodePage::ebcdic_1047, "\xAD\xBD"), "[]");
  EXPECT_EQ(encode(CodePage::ebcdic_1047, "[]"), "\xAD\xBD");
  EXPECT_EQ(encode(CodePage::ebcdic_037, "[]"), "\xBA\xBB");
}

TEST(LegacyCodePage, EuroSignIn1140And1147Only) {
  EXPECT_EQ(decode(CodePage::ebcdic_1140, "\x9F"), "\u20AC");
  EXPECT_EQ(decode(CodePage::ebcdic_1147, "\x9F"), "\u20AC");
  EXPECT_EQ(decode(CodePage::ebcdic_037, "\x9F"), "\u00A4");
  EXPECT_EQ(decode(CodePage::windows_1252, "\x80"), "\u20AC");
  std::string bytes;
  const auto error = append_from_utf8(CodePage::ebcdic_297, "prix 5 \u20AC", bytes);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 7u);
  EXPECT_EQ(error->code_point, 0x20ACu);
}

TEST(LegacyCodePage, FrenchAccentsIn297) {
  // "Québec" and "à" in EBCDIC 297 (France).
  EXPECT_EQ(decode(CodePage::ebcdic_297, encode(CodePage::ebcdic_297, "Québec à été")), "Québec à été");
  EXPECT_EQ(decode(CodePage::ebcdic_297, "\xD8\xA4\xC0\x82\x85\x83"), "Qu\u00e9bec");
}

TEST(LegacyCodePage, UnmappableByteIsAnErrorWithItsOffset) {
  std::string text;
  const auto error = append_as_utf8(CodePage::ascii, std::string_view("ab\x80" "c", 4), text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 2u);
  EXPECT_EQ(error->byte, 0x80);
  EXPECT_EQ(text, "ab");

  text.clear();
  const auto hole = append_as_utf8(CodePage::windows_1252, "xyz\x81", text);
  ASSERT_TRUE(hole.has_value());
  EXPECT_EQ(hole->offset, 3u);
}

TEST(LegacyCodePage, Utf8IsValidated) {
  EXPECT_EQ(decode(CodePage::utf8, "\xC3\xA9t\xC3\xA9"), "été");
  std::string text;
  EXPECT_EQ(append_as_utf8(CodePage::utf8, "ok\xC0\xAF", text)->offset, 2u);          // overlong '/'
  EXPECT_EQ(append_as_utf8(CodePage::utf8, "ok\xED\xA0\x80", text)->offset, 2u);      // surrogate
  EXPECT_EQ(append_as_utf8(CodePage::utf8, "ok\xE2\x82", text)->offset, 2u);          // truncated
}

TEST(LegacyCodePage, NamesAndSpellings) {
  EXPECT_EQ(code_page_from_name("IBM037"), CodePage::ebcdic_037);
  EXPECT_EQ(code_page_from_name("cp1147"), CodePage::ebcdic_1147);
  EXPECT_EQ(code_page_from_name("ibm-1047"), CodePage::ebcdic_1047);
  EXPECT_EQ(code_page_from_name("500"), CodePage::ebcdic_500);
  EXPECT_EQ(code_page_from_name("ISO-8859-1"), CodePage::latin1);
  EXPECT_EQ(code_page_from_name("Windows-1252"), CodePage::windows_1252);
  EXPECT_EQ(code_page_from_name("UTF-8"), CodePage::utf8);
  EXPECT_FALSE(code_page_from_name("cp999").has_value());
  for (int page = 0; page <= static_cast<int>(CodePage::utf8); ++page) {
    EXPECT_EQ(code_page_from_name(code_page_name(static_cast<CodePage>(page))), static_cast<CodePage>(page));
  }
}

TEST(LegacyCodePage, ByteOfCommonCharacters) {
  EXPECT_EQ(byte_of(CodePage::ebcdic_037, ' '), 0x40);
  EXPECT_EQ(byte_of(CodePage::ebcdic_297, '+'), 0x4E);
  EXPECT_EQ(byte_of(CodePage::ebcdic_1047, '-'), 0x60);
  EXPECT_EQ(byte_of(CodePage::ebcdic_500, '0'), 0xF0);
  EXPECT_EQ(byte_of(CodePage::ascii, '-'), '-');
}

}  // namespace
}  // namespace pse::legacy

// The committed tables must say what the system's iconv says, byte for byte, in both directions.
#include "adapters/codepage/code_page.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pse::legacy {
namespace {

/// Runs iconv on `input` and returns its output, or nullopt when iconv rejects the input.
std::optional<std::string> run_iconv(const std::string& from, const std::string& to, const std::string& input) {
  pse::testing::TempDir dir;
  const auto file = dir.write("input.bin", input);
  const std::string command = "iconv -f " + from + " -t " + to + " " + file.string() + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[4096];
  std::size_t count = 0;
  while ((count = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, count);
  return pclose(pipe) == 0 ? std::optional<std::string>(output) : std::nullopt;
}

struct PageCase {
  CodePage page;
  const char* iconv_name;
  const char* test_name;
};

class LegacyCodePageAgainstIconv : public ::testing::TestWithParam<PageCase> {};

TEST_P(LegacyCodePageAgainstIconv, EveryByteDecodesAsIconvDoesAndEncodesBack) {
  const auto [page, iconv_name, test_name] = GetParam();
  std::string defined;
  std::vector<unsigned> undefined;
  for (unsigned value = 0; value < 256; ++value) {
    std::string ignored;
    const std::string one(1, static_cast<char>(value));
    if (append_as_utf8(page, one, ignored)) {
      undefined.push_back(value);
    } else {
      defined += one;
    }
  }
  // All defined bytes in one iconv call: the whole table compared at once.
  std::string ours;
  ASSERT_FALSE(append_as_utf8(page, defined, ours).has_value());
  const auto theirs = run_iconv(iconv_name, "UTF-8", defined);
  ASSERT_TRUE(theirs.has_value()) << "iconv rejects a byte our table defines";
  EXPECT_EQ(ours, *theirs);
  std::string back;
  ASSERT_FALSE(append_from_utf8(page, ours, back).has_value());
  EXPECT_EQ(back, defined);
  // A byte we call undefined must be one iconv rejects too (the holes of Windows-1252).
  for (const unsigned value : undefined) {
    EXPECT_FALSE(run_iconv(iconv_name, "UTF-8", std::string(1, static_cast<char>(value))).has_value())
        << "iconv defines byte 0x" << std::hex << value;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllSingleBytePages, LegacyCodePageAgainstIconv,
    ::testing::Values(PageCase{CodePage::ebcdic_037, "IBM037", "cp037"}, PageCase{CodePage::ebcdic_500, "IBM500", "cp500"},
                      PageCase{CodePage::ebcdic_297, "IBM297", "cp297"}, PageCase{CodePage::ebcdic_1047, "IBM1047", "cp1047"},
                      PageCase{CodePage::ebcdic_1140, "IBM1140", "cp1140"}, PageCase{CodePage::ebcdic_1147, "IBM1147", "cp1147"},
                      PageCase{CodePage::windows_1252, "CP1252", "windows1252"},
                      PageCase{CodePage::latin1, "ISO-8859-1", "latin1"}, PageCase{CodePage::ascii, "ASCII", "ascii"}),
    [](const ::testing::TestParamInfo<PageCase>& page_case) { return std::string(page_case.param.test_name); });

}  // namespace
}  // namespace pse::legacy

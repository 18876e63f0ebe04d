// Files written by a real COBOL program: GnuCOBOL compiles and runs a program (in a temp dir)
// that writes records with COMP-3, COMP, signed zoned and sign-separate fields, and a variable
// file with OCCURS DEPENDING ON. The codec must read exactly the values the program computed,
// and encode them back to exactly the bytes it wrote.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_encoder.hpp"
#include "adapters/copybook/record_file_reader.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pse::legacy {
namespace {

constexpr int record_count = 250;

// The copybook is shared by the COBOL program (its record description) and by the codec.
constexpr std::string_view fixed_copybook =
    "       01 OUT-REC.\n"
    "          05 R-ID      PIC 9(6).\n"
    "          05 R-ZONED   PIC S9(7)V99.\n"
    "          05 R-PACKED  PIC S9(15)V99 COMP-3.\n"
    "          05 R-BIG     PIC S9(31) COMP-3.\n"
    "          05 R-UPACK   PIC 9(5) COMP-3.\n"
    "          05 R-BIN     PIC S9(4) COMP.\n"
    "          05 R-BIN9    PIC S9(9) BINARY.\n"
    "          05 R-LEAD    PIC S9(3) SIGN LEADING SEPARATE.\n"
    "          05 R-NAME    PIC X(8).\n";

constexpr std::string_view fixed_program_head =
    "       IDENTIFICATION DIVISION.\n"
    "       PROGRAM-ID. WRITER.\n"
    "       ENVIRONMENT DIVISION.\n"
    "       INPUT-OUTPUT SECTION.\n"
    "       FILE-CONTROL.\n"
    "           SELECT OUT-FILE ASSIGN TO \"fixed.dat\"\n"
    "               ORGANIZATION IS SEQUENTIAL.\n"
    "       DATA DIVISION.\n"
    "       FILE SECTION.\n"
    "       FD OUT-FILE.\n";

constexpr std::string_view fixed_program_body =
    "       WORKING-STORAGE SECTION.\n"
    "       01 I     PIC 9(4) COMP.\n"
    "       01 SGN   PIC S9 COMP.\n"
    "       PROCEDURE DIVISION.\n"
    "           OPEN OUTPUT OUT-FILE\n"
    "           PERFORM VARYING I FROM 1 BY 1 UNTIL I > 250\n"
    "               IF FUNCTION MOD(I, 2) = 0\n"
    "                   MOVE 1 TO SGN\n"
    "               ELSE\n"
    "                   MOVE -1 TO SGN\n"
    "               END-IF\n"
    "               MOVE I TO R-ID\n"
    "               COMPUTE R-ZONED = (I * 12345 - 1000000) / 100\n"
    "               COMPUTE R-PACKED = I * 987654321.23 * SGN\n"
    "               COMPUTE R-BIG = I * 1234567890123456789012345 * SGN\n"
    "               COMPUTE R-UPACK = I * 3\n"
    "               COMPUTE R-BIN = I * 33 - 5000\n"
    "               COMPUTE R-BIN9 = I * 765432 * SGN\n"
    "               COMPUTE R-LEAD = I - 150\n"
    "               MOVE \"ITEM\" TO R-NAME\n"
    "               WRITE OUT-REC\n"
    "           END-PERFORM\n"
    "           CLOSE OUT-FILE\n"
    "           STOP RUN.\n";

constexpr std::string_view variable_copybook =
    "       01 VAR-REC.\n"
    "          05 V-COUNT  PIC 9(3).\n"
    "          05 V-ITEM   PIC S9(7) COMP-3 OCCURS 0 TO 5 TIMES\n"
    "                      DEPENDING ON V-COUNT.\n";

constexpr std::string_view variable_program =
    "       IDENTIFICATION DIVISION.\n"
    "       PROGRAM-ID. VWRITER.\n"
    "       ENVIRONMENT DIVISION.\n"
    "       INPUT-OUTPUT SECTION.\n"
    "       FILE-CONTROL.\n"
    "           SELECT OUT-FILE ASSIGN TO \"variable.dat\"\n"
    "               ORGANIZATION IS SEQUENTIAL.\n"
    "       DATA DIVISION.\n"
    "       FILE SECTION.\n"
    "       FD OUT-FILE\n"
    "           RECORD IS VARYING IN SIZE FROM 3 TO 23 CHARACTERS\n"
    "           DEPENDING ON REC-LEN.\n"
    "       01 VAR-REC.\n"
    "          05 V-COUNT  PIC 9(3).\n"
    "          05 V-ITEM   PIC S9(7) COMP-3 OCCURS 0 TO 5 TIMES\n"
    "                      DEPENDING ON V-COUNT.\n"
    "       WORKING-STORAGE SECTION.\n"
    "       01 REC-LEN PIC 9(4) COMP.\n"
    "       01 I       PIC 9(4) COMP.\n"
    "       01 J       PIC 9(4) COMP.\n"
    "       PROCEDURE DIVISION.\n"
    "           OPEN OUTPUT OUT-FILE\n"
    "           PERFORM VARYING I FROM 1 BY 1 UNTIL I > 60\n"
    "               COMPUTE V-COUNT = FUNCTION MOD(I, 6)\n"
    "               PERFORM VARYING J FROM 1 BY 1 UNTIL J > V-COUNT\n"
    "                   COMPUTE V-ITEM(J) = I * 1000 + J - 30000\n"
    "               END-PERFORM\n"
    "               COMPUTE REC-LEN = 3 + 4 * V-COUNT\n"
    "               WRITE VAR-REC\n"
    "           END-PERFORM\n"
    "           CLOSE OUT-FILE\n"
    "           STOP RUN.\n";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

/// Compiles and runs `program` in `dir`; false (with the compiler's output in the log) on failure.
bool compile_and_run(const pse::testing::TempDir& dir, std::string_view program, const std::string& name) {
  dir.write(name + ".cob", program);
  const std::string command = "cd '" + dir.path().string() + "' && cobc -x -std=ibm -o " + name + " " + name + ".cob > cobc.log 2>&1 && ./" +
                              name + " >> cobc.log 2>&1";
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << read_file(dir / "cobc.log");
    return false;
  }
  return true;
}

bool have_cobc() { return std::system("cobc --version > /dev/null 2>&1") == 0; }

/// What the COBOL program computed for record i, as exact decimal text.
std::string expected_json(int i) {
  const long long sign = i % 2 == 0 ? 1 : -1;
  auto decimal = [](Int128 unscaled, int scale) { return decimal_to_string(unscaled, scale); };
  const Int128 big = static_cast<Int128>(i) * sign * (static_cast<Int128>(1234567890123) * 1'000'000'000'000 + 456789012345);
  return "{\"R-ID\":" + std::to_string(i) + ",\"R-ZONED\":\"" + decimal(i * 12345LL - 1000000, 2) + "\",\"R-PACKED\":\"" +
         decimal(static_cast<Int128>(i) * 98765432123LL * sign, 2) + "\",\"R-BIG\":\"" + decimal(big, 0) + "\",\"R-UPACK\":" +
         std::to_string(i * 3) + ",\"R-BIN\":" + std::to_string(i * 33 - 5000) + ",\"R-BIN9\":" + std::to_string(i * 765432LL * sign) +
         ",\"R-LEAD\":" + std::to_string(i - 150) + ",\"R-NAME\":\"ITEM\"}";
}

TEST(LegacyGnuCobol, ReadsExactlyWhatACobolProgramWrote) {
  ASSERT_TRUE(have_cobc()) << "cobc (Debian package gnucobol3, installed by scripts/setup) is missing";
  pse::testing::TempDir dir;
  const std::string program = std::string(fixed_program_head) + std::string(fixed_copybook) + std::string(fixed_program_body);
  ASSERT_TRUE(compile_and_run(dir, program, "writer"));

  CopybookOptions options;
  options.code_page = CodePage::ascii;
  options.ascii_overpunch = AsciiOverpunch::gnucobol;
  auto layout = parse_copybook(fixed_copybook, options);
  ASSERT_TRUE(layout.ok()) << layout.error().describe();
  EXPECT_EQ(layout->record_size(), 6u + 9 + 9 + 16 + 3 + 2 + 4 + 4 + 8);

  const std::string data = read_file(dir / "fixed.dat");
  ASSERT_EQ(data.size(), layout->record_size() * record_count);
  FileReadOptions read_options;
  read_options.framing.record_length = layout->record_size();
  RecordEncoder encoder(*layout);
  int next = 1;
  std::string encoded;
  const auto summary = read_record_file(dir / "fixed.dat", *layout, read_options, [&](const Record& record, const Frame& frame) {
    EXPECT_EQ(to_json(record), expected_json(next)) << "record " << next;
    ASSERT_FALSE(encoder.encode(record, encoded).has_value());
    EXPECT_EQ(encoded, frame.bytes) << "record " << next << " does not encode back to the bytes COBOL wrote";
    ++next;
  });
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(summary->read, static_cast<std::uint64_t>(record_count));
  EXPECT_EQ(summary->accepted, static_cast<std::uint64_t>(record_count));
  EXPECT_EQ(summary->rejected, 0u);
}

TEST(LegacyGnuCobol, ReadsAVariableFileWithOccursDependingOn) {
  ASSERT_TRUE(have_cobc()) << "cobc (Debian package gnucobol3, installed by scripts/setup) is missing";
  pse::testing::TempDir dir;
  ASSERT_TRUE(compile_and_run(dir, variable_program, "vwriter"));
  CopybookOptions options;
  options.code_page = CodePage::ascii;
  options.ascii_overpunch = AsciiOverpunch::gnucobol;
  auto layout = parse_copybook(variable_copybook, options);
  ASSERT_TRUE(layout.ok()) << layout.error().describe();

  // GnuCOBOL (-std=ibm) writes a big-endian RDW that counts only the data bytes.
  FileReadOptions read_options;
  read_options.framing.format = RecordFormat::variable;
  read_options.framing.rdw_counts_itself = false;
  RecordEncoder encoder(*layout);
  int i = 1;
  std::string encoded;
  const auto summary = read_record_file(dir / "variable.dat", *layout, read_options, [&](const Record& record, const Frame& frame) {
    const int count = i % 6;
    std::string expected = "{\"V-COUNT\":" + std::to_string(count) + ",\"V-ITEM\":[";
    for (int j = 1; j <= count; ++j) expected += (j > 1 ? "," : "") + std::to_string(i * 1000 + j - 30000);
    EXPECT_EQ(to_json(record), expected + "]}");
    ASSERT_FALSE(encoder.encode(record, encoded).has_value());
    EXPECT_EQ(encoded, frame.bytes);
    ++i;
  });
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(summary->accepted, 60u);
}

}  // namespace
}  // namespace pse::legacy

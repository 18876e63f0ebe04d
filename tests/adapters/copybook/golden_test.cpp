// Golden cases: each folder under golden/ holds a copybook, input bytes (hex, or raw text) and
// the expected canonical JSON, one line per record ("error ..." for a rejected record), like
// Cobrix's copybook/data/expected triples. case.txt sets the options. To add a case, write the
// three files by hand; PSE_GOLDEN_PRINT=1 prints what the codec produces for a first draft, which
// must then be checked value by value before it is committed.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_encoder.hpp"
#include "adapters/copybook/hex.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace pse::legacy {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream stream(line);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

struct GoldenCase {
  CopybookOptions copybook;
  FramingOptions framing;
  bool round_trip = false;
};

/// case.txt: "key: value" lines (see README.md in golden/).
GoldenCase read_case(const fs::path& file) {
  GoldenCase golden;
  std::istringstream lines(read_file(file));
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    const std::string value = line.substr(line.find_first_not_of(' ', colon + 1));
    const auto words = split_words(value);
    if (key == "code_page") {
      golden.copybook.code_page = code_page_from_name(value).value();
    } else if (key == "field_code_page") {
      golden.copybook.field_code_pages.emplace_back(words.at(0), code_page_from_name(words.at(1)).value());
    } else if (key == "framing") {
      if (value == "text") golden.framing.format = RecordFormat::text;
      if (value.starts_with("variable")) golden.framing.format = RecordFormat::variable;
      if (value == "variable-little-endian-data-only") {
        golden.framing.rdw_byte_order = ByteOrder::little_endian;
        golden.framing.rdw_counts_itself = false;
      }
      if (value == "variable-blocked") golden.framing.block_descriptors = true;
    } else if (key == "record_length") {
      golden.framing.record_length = std::stoul(value);
    } else if (key == "copybook_format") {
      golden.copybook.format = value == "free" ? CopybookFormat::free : CopybookFormat::fixed;
    } else if (key == "overpunch") {
      golden.copybook.ascii_overpunch = value == "gnucobol" ? AsciiOverpunch::gnucobol : AsciiOverpunch::ibm;
    } else if (key == "native_binary") {
      golden.copybook.native_binary_order = value == "little-endian" ? ByteOrder::little_endian : ByteOrder::big_endian;
    } else if (key == "float") {
      golden.copybook.float_format = value == "ieee-big-endian" ? FloatFormat::ieee_big_endian
                                     : value == "ieee-little-endian" ? FloatFormat::ieee_little_endian
                                                                     : FloatFormat::ibm_hexadecimal;
    } else if (key == "selector") {
      // selector: REDEFINED-ITEM SELECTOR-FIELD value=ALTERNATIVE ...
      RedefinesSelector selector{words.at(0), words.at(1), {}};
      for (std::size_t at = 2; at < words.size(); ++at) {
        const auto equals = words[at].find('=');
        selector.cases.push_back({words[at].substr(0, equals), words[at].substr(equals + 1)});
      }
      golden.copybook.selectors.push_back(std::move(selector));
    } else if (key == "round_trip") {
      golden.round_trip = value == "yes";
    }
  }
  return golden;
}

std::vector<fs::path> golden_folders() {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(fs::path(PSE_SOURCE_DIR) / "tests/adapters/copybook/golden")) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

/// Decodes the case's input and returns one line per record: its JSON, or the error.
std::string run_case(const fs::path& folder, std::string& problems) {
  const GoldenCase golden = read_case(folder / "case.txt");
  auto layout = parse_copybook(read_file(folder / "copybook.cpy"), golden.copybook, "copybook.cpy");
  if (!layout) return "copybook error " + layout.error().describe() + "\n";
  // layout.txt, when present, pins the offsets and sizes the parser computes.
  if (fs::exists(folder / "layout.txt") && layout->describe() != read_file(folder / "layout.txt")) {
    problems += "layout differs from layout.txt:\n" + layout->describe();
  }
  const std::string data = fs::exists(folder / "input.hex") ? testing::from_hex(read_file(folder / "input.hex"))
                                                            : read_file(folder / "input.txt");
  FramingOptions framing = golden.framing;
  if (framing.format == RecordFormat::fixed && framing.record_length == 0) framing.record_length = layout->record_size();
  RecordFramer framer(data, framing, "input");
  RecordDecoder decoder(*layout);
  RecordEncoder encoder(*layout);
  Record record;
  std::string output, encoded;
  for (;;) {
    auto frame = framer.next();
    if (!frame) {
      const LegacyError& error = frame.error();
      output += "error " + std::string(to_string(error.code)) + " record " + std::to_string(error.record_number) + " offset " +
                std::to_string(error.byte_offset) + "\n";
      break;
    }
    if (!frame.value()) break;
    const Frame& current = *frame.value();
    if (auto error = decoder.decode(current.bytes, record)) {
      output += "error " + std::string(to_string(error->code)) + " record " + std::to_string(current.record_number) + " offset " +
                std::to_string(current.byte_offset + error->byte_offset) + " field " + error->field + "\n";
      continue;
    }
    output += to_json(record) + "\n";
    if (golden.round_trip) {
      if (auto error = encoder.encode(record, encoded)) {
        problems += "record " + std::to_string(current.record_number) + " does not encode: " + error->describe() + "\n";
      } else if (encoded != current.bytes.substr(0, decoder.last_record_length())) {
        problems += "record " + std::to_string(current.record_number) + " encodes to " + testing::to_hex(encoded) + " instead of " +
                    testing::to_hex(current.bytes) + "\n";
      }
    }
  }
  return output;
}

TEST(LegacyCopybookGolden, EveryCaseDecodesToItsExpectedJson) {
  const auto folders = golden_folders();
  ASSERT_GE(folders.size(), 15u);
  const bool print = std::getenv("PSE_GOLDEN_PRINT") != nullptr;
  for (const fs::path& folder : folders) {
    SCOPED_TRACE(folder.filename().string());
    std::string problems;
    const std::string actual = run_case(folder, problems);
    if (print) std::cout << "== " << folder.filename().string() << "\n" << actual;
    EXPECT_EQ(actual, read_file(folder / "expected.txt"));
    EXPECT_EQ(problems, "");
  }
}

}  // namespace
}  // namespace pse::legacy

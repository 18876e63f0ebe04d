// Time-bounded fuzzing of the copybook parser and the record decoder, as ordinary tests: random
// and mutated inputs must give a value or a clean error — never a crash, a hang, an out-of-bounds
// read (the ASan build checks) or an error that points outside the record. Each test stops after
// about a second; the seeds are fixed, so a failure reproduces.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_encoder.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace pse::legacy {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto time_budget = std::chrono::milliseconds(1200);

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

/// The golden copybooks plus a few that use every clause: the seeds that mutations start from.
std::vector<std::string> seed_copybooks() {
  std::vector<std::string> seeds;
  for (const auto& entry : fs::directory_iterator(fs::path(PSE_SOURCE_DIR) / "tests/adapters/copybook/golden")) {
    if (entry.is_directory()) seeds.push_back(read_file(entry.path() / "copybook.cpy"));
  }
  seeds.push_back(
      "       01 R.\n          05 K PIC X.\n          05 N PIC 9(2) COMP.\n"
      "          05 T OCCURS 1 TO 4 DEPENDING ON N.\n             10 A PIC S9(3)V9 COMP-3.\n"
      "             10 B PIC ZZ9.99CR.\n          05 U PIC X(6).\n          05 V REDEFINES U.\n"
      "             10 W COMP-1.\n             10 X PIC S99 SIGN LEADING SEPARATE.\n");
  std::sort(seeds.begin(), seeds.end());
  return seeds;
}

/// Words that steer mutations towards the interesting corners of the grammar.
const std::vector<std::string> dictionary = {
    " PIC ", " PICTURE ", " X(", " 9(", " S9(", ")", " V99", " PPP", " COMP-3", " COMP", " COMP-5", " COMP-1", " COMP-2",
    " BINARY", " OCCURS ", " TO ", " TIMES", " DEPENDING ON ", " REDEFINES ", " SIGN LEADING SEPARATE", " VALUE ",
    " 88 ", " 66 ", " 01 ", " 05 ", " 10 ", " 49 ", ". ", ".\n", "'", "\"", " FILLER", " ZZ,ZZ9.99-", " $$$9", " CR",
    " 1000000", " 0", "\n      *", "\n      -", " BLANK WHEN ZERO", " SYNC", " COPY", "(99999)", " USAGE IS "};

std::string mutate(std::string text, std::mt19937& random) {
  const int steps = 1 + static_cast<int>(random() % 4);
  for (int step = 0; step < steps; ++step) {
    const std::size_t at = text.empty() ? 0 : random() % (text.size() + 1);
    switch (random() % 5) {
      case 0:
        if (!text.empty() && at < text.size()) text[at] = static_cast<char>(random() % 256);
        break;
      case 1: text.insert(at, dictionary[random() % dictionary.size()]); break;
      case 2:
        if (at < text.size()) text.erase(at, 1 + random() % 12);
        break;
      case 3: {  // duplicate a slice (repeats entries and levels)
        if (text.empty()) break;
        const std::size_t from = random() % text.size();
        const std::size_t length = std::min<std::size_t>(random() % 80, text.size() - from);
        text.insert(at, text.substr(from, length));
        break;
      }
      default: text.insert(at, 1, static_cast<char>("0123456789 .()\n"[random() % 15])); break;
    }
  }
  return text;
}

/// Decodes `bytes`; checks what an error says and that re-encoding a decoded record round-trips.
void decode_and_check(const CopybookLayout& layout, std::string_view bytes) {
  RecordDecoder decoder(layout);
  Record record;
  const auto error = decoder.decode(bytes, record);
  if (error) {
    EXPECT_LE(error->byte_offset, bytes.size());
    EXPECT_FALSE(error->field.empty()) << error->describe();
    return;
  }
  const std::string json = to_json(record);
  ASSERT_FALSE(json.empty());
  RecordEncoder encoder(layout);
  std::string encoded;
  if (encoder.encode(record, encoded)) return;  // e.g. a packed value wider than its PIC: refused, not truncated
  Record again;
  const auto second = decoder.decode(encoded, again);
  ASSERT_FALSE(second.has_value()) << second->describe();
  EXPECT_EQ(to_json(again), json);
}

TEST(LegacyCopybookFuzz, MutatedCopybooksParseOrFailCleanly) {
  const auto seeds = seed_copybooks();
  std::mt19937 random(20261122);
  std::uniform_int_distribution<int> byte(0, 255);
  const auto deadline = Clock::now() + time_budget;
  int parsed = 0, refused = 0;
  for (int iteration = 0; iteration < 100000 && Clock::now() < deadline; ++iteration) {
    std::string text = mutate(seeds[random() % seeds.size()], random);
    if (iteration % 10 == 0) {  // now and then, pure noise
      text.resize(random() % 300);
      for (auto& c : text) c = static_cast<char>(byte(random));
    }
    CopybookOptions options;
    options.format = iteration % 3 == 0 ? CopybookFormat::free : CopybookFormat::fixed;
    auto layout = parse_copybook(text, options);
    if (!layout) {
      ++refused;
      EXPECT_FALSE(layout.error().message.empty());
      continue;
    }
    ++parsed;
    ASSERT_LE(layout->record_size(), max_record_size);
    if (layout->record_size() <= 4096) {
      std::string bytes(layout->record_size(), '\0');
      for (auto& c : bytes) c = static_cast<char>(byte(random));
      decode_and_check(*layout, bytes);
      decode_and_check(*layout, std::string_view(bytes).substr(0, random() % (bytes.size() + 1)));
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(refused, 0);
}

TEST(LegacyCopybookFuzz, RandomAndMutatedRecordsDecodeOrFailCleanly) {
  std::vector<CopybookLayout> layouts;
  for (const auto& text : seed_copybooks()) {
    for (const CodePage page : {CodePage::ebcdic_037, CodePage::ascii, CodePage::utf8}) {
      CopybookOptions options;
      options.code_page = page;
      auto layout = parse_copybook(text, options);
      if (layout) layouts.push_back(std::move(layout.value()));
    }
  }
  ASSERT_GE(layouts.size(), 30u);
  std::mt19937 random(42);
  std::uniform_int_distribution<int> byte(0, 255);
  const auto deadline = Clock::now() + time_budget;
  for (int iteration = 0; iteration < 1000000 && Clock::now() < deadline; ++iteration) {
    const CopybookLayout& layout = layouts[random() % layouts.size()];
    std::string bytes(layout.record_size() + random() % 4, '\0');
    // Mostly plausible bytes (digits, spaces, packed nibbles), sometimes noise, so that decoding
    // gets deep into records rather than failing on the first byte.
    const bool ebcdic = is_ebcdic(layout.options().code_page);
    for (auto& c : bytes) {
      switch (random() % 4) {
        case 0: c = static_cast<char>(byte(random)); break;
        case 1: c = static_cast<char>((ebcdic ? 0xF0 : 0x30) + random() % 10); break;
        case 2: c = static_cast<char>((random() % 10) << 4 | (random() % 10)); break;
        default: c = static_cast<char>(ebcdic ? 0x40 : 0x20); break;
      }
    }
    if (random() % 5 == 0) bytes.resize(random() % (bytes.size() + 1));
    decode_and_check(layout, bytes);
  }
}

}  // namespace
}  // namespace pse::legacy

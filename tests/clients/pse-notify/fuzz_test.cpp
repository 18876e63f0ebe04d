// Time-bounded fuzzing of what reads untrusted or hand-written input: the template loader
// (mutated YAML must load or fail with a ConfigError, nothing else), and the text functions
// fed arbitrary bytes (no crash; encoded output stays 7-bit with bounded lines).
#include "mime_message.hpp"
#include "notice_template.hpp"
#include "renderer.hpp"
#include "sms_encoding.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

namespace pse::notify {
namespace {

std::string mutate(std::string text, std::mt19937& random) {
  std::uniform_int_distribution<int> kind(0, 3), byte(0, 255);
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t at = random() % text.size();
    switch (kind(random)) {
      case 0: text[at] = static_cast<char>(byte(random)); break;
      case 1: text.erase(at, 1 + random() % 8); break;
      case 2: text.insert(at, text.substr(random() % text.size(), 1 + random() % 12)); break;
      default: text.insert(at, "(("); break;
    }
  }
  return text;
}

TEST(NotifyFuzz, MutatedTemplateFilesLoadOrFailWithAConfigError) {
  std::ifstream in(PSE_SOURCE_DIR "/config/notify/templates.yaml");
  std::stringstream original;
  original << in.rdbuf();
  pse::testing::TempDir dir;
  std::mt19937 random(20261122);
  int loaded = 0, refused = 0;
  for (int i = 0; i < 1500; ++i) {
    const auto file = dir.write("t.yaml", mutate(original.str(), random));
    try {
      TemplateSet::load(file);
      ++loaded;
    } catch (const ConfigError& error) {
      EXPECT_FALSE(error.reason().empty());
      ++refused;
    }  // anything else escapes and fails the test
  }
  EXPECT_GT(refused, 100);
  EXPECT_GT(loaded, 0);
}

TEST(NotifyFuzz, TextFunctionsTakeArbitraryBytes) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 400);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(static_cast<std::size_t>(length(random)), '\0');
    for (char& c : bytes) c = static_cast<char>(byte(random));
    const SmsSize size = measure_sms(bytes);
    EXPECT_GE(size.segments, 1u);
    const std::string clean = strip_controls(bytes);
    for (char c : clean) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
    for (const std::string& encoded : {encode_header_words(clean, 9), quoted_printable(bytes), base64_lines(bytes)}) {
      std::size_t line = 0;
      for (char c : encoded) {
        ASSERT_LT(static_cast<unsigned char>(c), 0x80u);
        line = c == '\n' ? 0 : line + 1;
        ASSERT_LE(line, 78u);
      }
    }
    (void)scan_placeholders(bytes);
  }
}

}  // namespace
}  // namespace pse::notify

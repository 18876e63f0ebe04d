// Golden cases for the legacy codecs: input + schema → expected canonical outcome.
//
// The expected file holds, in order: each accepted record as one line of canonical JSON, a
// `counts:` line, and each rejected record as `reject: <reject-file line>`. Reviewing a change
// to a codec is then reading a diff of this text. Set PSE_UPDATE_GOLDEN=1 to rewrite the
// expected files from the current output (and review the diff before committing).
#pragma once

#include "adapters/record/decode_outcome.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pse::adapters::testing {

inline std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline std::string render_outcome(const DecodeOutcome& outcome) {
  std::string text;
  for (const auto& record : outcome.records) text += to_json(record) + "\n";
  text += "counts: read=" + std::to_string(outcome.counts.read) + " accepted=" +
          std::to_string(outcome.counts.accepted) + " rejected=" + std::to_string(outcome.counts.rejected) +
          (outcome.file_rejected ? " file_rejected" : "") + "\n";
  for (const auto& error : outcome.errors) text += "reject: " + reject_line(error) + "\n";
  return text;
}

/// The case folders under `directory`, sorted, for INSTANTIATE_TEST_SUITE_P.
inline std::vector<std::string> golden_cases(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Compares `actual` with `case_directory/expected.txt`, or rewrites it under PSE_UPDATE_GOLDEN.
inline void expect_golden(const std::filesystem::path& case_directory, const std::string& actual) {
  const auto expected_file = case_directory / "expected.txt";
  const char* update = std::getenv("PSE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_file, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(expected_file)) << expected_file << " is missing";
  EXPECT_EQ(read_bytes(expected_file), actual) << "golden case " << case_directory.filename();
}

}  // namespace pse::adapters::testing

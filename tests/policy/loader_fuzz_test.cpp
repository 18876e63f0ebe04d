// The policy loader fed mutated and random documents, bounded in time: it must never crash,
// hang or throw — every input is either a snapshot or a list of errors with a reason — and a
// snapshot it accepts must answer decisions. (With clang, tests/policy/fuzz/ holds the same
// harness as a libFuzzer target for longer runs.)
#include "policy/policy_config.hpp"

#include "policy_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

namespace pse::policy {
namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : random_(seed) {}

  std::string mutate(std::string text) {
    const int rounds = 1 + pick(4);
    for (int i = 0; i < rounds; ++i) text = mutate_once(std::move(text));
    return text;
  }

  std::string random_document() {
    std::string text(static_cast<std::size_t>(pick(400)), ' ');
    for (char& c : text) c = pick(3) == 0 ? static_cast<char>(pick(256)) : token_character();
    return text;
  }

 private:
  int pick(int bound) { return std::uniform_int_distribution<int>(0, bound - 1)(random_); }
  std::size_t position(const std::string& text) {
    return text.empty() ? 0 : static_cast<std::size_t>(pick(static_cast<int>(text.size())));
  }
  char token_character() {
    static const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 :-[]{},\n\n  #&*!|>'\"%@`?.";
    return alphabet[static_cast<std::size_t>(pick(static_cast<int>(alphabet.size())))];
  }

  std::string mutate_once(std::string text) {
    static const std::vector<std::string> fragments = {
        "rules:", "- id: x", "consumer: alpha", "provider: beta", "category: test.record", "fields: [secret]",
        "basis: law", "basis: consent", "legal_reference: ", "valid_from: 2025-01-01", "valid_until: 2024-01-01",
        "rate_limit: {requests: 0, per: week}", "obligations: [notify_subject]", "purposes: [eligibility]",
        "&anchor ", "*anchor", "!!binary ", "? [a]: b", "{", "}", "[", "]", "\t", "\n  ", "- ", ": ", "~", "null"};
    switch (pick(7)) {
      case 0:  // flip a byte
        if (!text.empty()) text[position(text)] = static_cast<char>(pick(256));
        break;
      case 1:  // insert a YAML-ish fragment
        text.insert(position(text), fragments[static_cast<std::size_t>(pick(static_cast<int>(fragments.size())))]);
        break;
      case 2: {  // delete a range
        const std::size_t start = position(text);
        text.erase(start, static_cast<std::size_t>(pick(40)));
        break;
      }
      case 3: {  // duplicate a range somewhere else
        const std::size_t start = position(text);
        const std::string copy = text.substr(start, static_cast<std::size_t>(pick(120)));
        text.insert(position(text), copy);
        break;
      }
      case 4:  // truncate
        text.resize(position(text));
        break;
      case 5:  // insert a random token character
        text.insert(position(text), 1, token_character());
        break;
      default: {  // swap two lines
        std::vector<std::string> lines;
        std::stringstream stream(text);
        for (std::string line; std::getline(stream, line);) lines.push_back(line);
        if (lines.size() >= 2) {
          std::swap(lines[static_cast<std::size_t>(pick(static_cast<int>(lines.size())))],
                    lines[static_cast<std::size_t>(pick(static_cast<int>(lines.size())))]);
        }
        text.clear();
        for (const auto& line : lines) text += line + "\n";
      }
    }
    return text;
  }

  std::mt19937 random_;
};

class LoaderFuzz : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::PolicyConfigDirectory directory;
    CompileOutcome outcome = directory.load();
    ASSERT_TRUE(outcome.snapshot);
    classification_ = outcome.snapshot->classification();
    organisations_ = outcome.snapshot->organisations();
  }

  // One input: must not throw; a rejected input has errors with a reason, an accepted one decides.
  void check(const std::string& text) {
    CompileOutcome outcome;
    ASSERT_NO_THROW(outcome = compile_policies_text(classification_, organisations_, text, "fuzz.yaml")) << text;
    if (!outcome.snapshot) {
      ASSERT_FALSE(outcome.errors.empty()) << text;
      for (const ConfigError& error : outcome.errors) ASSERT_FALSE(error.reason().empty());
      ++rejected_;
      return;
    }
    ++accepted_;
    for (const PolicyRule& rule : outcome.snapshot->rules()) {
      for (const std::string& purpose : rule.purposes) {
        const Decision decision = outcome.snapshot->decide(
            DecisionRequest{rule.consumer, rule.provider, rule.category, purpose, {"name", "secret", "x"},
                            testing::at("2025-06-01")});
        // Whatever the rule says, nothing above the consumer's clearance gets through.
        const int clearance = organisations_.find(rule.consumer)->clearance;
        for (const std::string& field : decision.permitted_fields) {
          ASSERT_LE(classification_.find(rule.category)->find_field(field)->confidentiality, clearance);
        }
      }
    }
  }

  Classification classification_;
  OrganisationRegistry organisations_;
  int accepted_ = 0;
  int rejected_ = 0;
};

TEST_F(LoaderFuzz, MutatedAndRandomDocumentsNeverCrashTheLoader) {
  const std::vector<std::string> seeds = {testing::kPolicies, read_text(PSE_SOURCE_DIR "/config/policies.yaml")};
  Mutator mutator(20251122);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int inputs = 0;
  while (inputs < 200 || (std::chrono::steady_clock::now() < deadline && inputs < 20000)) {
    const std::string& seed = seeds[static_cast<std::size_t>(inputs) % seeds.size()];
    check(inputs % 10 == 9 ? mutator.random_document() : mutator.mutate(seed));
    if (HasFatalFailure()) return;
    ++inputs;
  }
  EXPECT_GT(rejected_, 0);
  EXPECT_GT(accepted_, 0);  // some mutations stay valid, so decisions get exercised too
}

TEST_F(LoaderFuzz, PathologicalDocuments) {
  check(std::string(100000, '['));
  check(std::string(5000, '{') + std::string(5000, '}'));
  check("rules: &a [*a]\n");
  check("rules:\n  - &r {id: a, consumer: alpha, provider: beta, category: test.record, purposes: [eligibility], "
        "basis: consent, fields: [name]}\n  - *r\n");
  check("rules:\n  - ? [id]\n    : x\n");
  check(std::string("rules:\n  - id: a\0b\n", 18));
  check("\xef\xbb\xbfrules: []\n");
  check("rules: []\n---\nrules: []\n");
}

}  // namespace
}  // namespace pse::policy

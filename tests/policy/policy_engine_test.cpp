// PolicyEngine: atomic reloads, the old snapshot kept on a bad file, decisions during reloads.
#include "policy/policy_engine.hpp"

#include "policy_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pse::policy {
namespace {

using ::testing::HasSubstr;
using testing::at;
using testing::PolicyConfigDirectory;

// The fixture's policies, with alpha's 2025 rule also granting `public_note`.
std::string policies_with_public_note() {
  std::string text = testing::kPolicies;
  text.replace(text.find("fields: [name, income]"), 22, "fields: [public_note, name, income]");
  return text;
}

const DecisionRequest kRequest{"alpha", "beta", "test.record", "eligibility", {}, at("2025-06-01")};

TEST(PolicyEngine, LoadThrowsTheFirstErrorAtStartUp) {
  PolicyConfigDirectory directory;
  directory.write_policies("rules: [\n");
  EXPECT_THROW(PolicyEngine::load(directory.paths()), ConfigError);
  EXPECT_THROW(PolicyEngine(nullptr), std::invalid_argument);
}

TEST(PolicyEngine, ReloadSwapsInTheNewSnapshot) {
  PolicyConfigDirectory directory;
  auto engine = PolicyEngine::load(directory.paths());
  EXPECT_EQ(engine->decide(kRequest).permitted_fields.size(), 2u);
  directory.write_policies(policies_with_public_note());
  EXPECT_TRUE(engine->reload(directory.paths()).empty());
  EXPECT_EQ(engine->generation(), 1u);
  EXPECT_EQ(engine->decide(kRequest).permitted_fields.size(), 3u);
}

TEST(PolicyEngine, ABadFileKeepsTheOldSnapshotAndSaysWhy) {
  PolicyConfigDirectory directory;
  auto engine = PolicyEngine::load(directory.paths());
  const std::shared_ptr<const PolicySnapshot> before = engine->snapshot();

  directory.write_policies("rules:\n  - id: broken\n    consumer: alpha\n    colour: blue\n");
  std::vector<ConfigError> errors = engine->reload(directory.paths());
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors.front().what(), HasSubstr("policies.yaml:4: unknown key 'colour'"));
  EXPECT_EQ(engine->snapshot(), before);
  EXPECT_EQ(engine->generation(), 0u);
  EXPECT_TRUE(engine->decide(kRequest).allowed());

  // A file that reads fine but contradicts the classification is refused the same way.
  std::string contradicting = testing::kPolicies;
  contradicting.replace(contradicting.find("fields: [name, income]"), 22, "fields: [name, secret]");
  directory.write_policies(contradicting);
  errors = engine->reload(directory.paths());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors.front().what(), HasSubstr("rule 'alpha-2025'"));
  EXPECT_EQ(engine->snapshot(), before);

  std::filesystem::remove(directory.paths().classification);
  EXPECT_FALSE(engine->reload(directory.paths()).empty());
  EXPECT_EQ(engine->snapshot(), before);
  EXPECT_EQ(engine->decide(kRequest).rule_id, "alpha-2025");
}

TEST(PolicyEngine, ASnapshotHeldByACallerOutlivesTheReload) {
  PolicyConfigDirectory directory;
  auto engine = PolicyEngine::load(directory.paths());
  std::shared_ptr<const PolicySnapshot> held = engine->snapshot();
  directory.write_policies("rules: []\n");
  ASSERT_TRUE(engine->reload(directory.paths()).empty());
  EXPECT_EQ(engine->decide(kRequest).reason, Reason::no_rule);
  EXPECT_TRUE(held->decide(kRequest).allowed());  // still whole, still usable
}

TEST(PolicyEngine, DecisionsDuringReloadsSeeEitherTheOldOrTheNewSnapshot) {
  PolicyConfigDirectory directory;
  auto engine = PolicyEngine::load(directory.paths());
  // Two valid configurations the reloader alternates between, and one broken one.
  CompileOutcome two = [&] {
    PolicyConfigDirectory other;
    other.write_policies(policies_with_public_note());
    return other.load();
  }();
  ASSERT_TRUE(two.snapshot);

  std::atomic<bool> stop{false};
  std::atomic<long> decisions{0};
  std::atomic<long> inconsistent{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 3; ++t) {
    deciders.emplace_back([&] {
      while (!stop.load()) {
        const Decision decision = engine->decide(kRequest);
        const std::size_t fields = decision.permitted_fields.size();
        if (!decision.allowed() || decision.rule_id != "alpha-2025" || (fields != 2 && fields != 3)) ++inconsistent;
        ++decisions;
      }
    });
  }
  int reloads = 0;
  int refused = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < deadline || reloads < 20) {
    switch (reloads % 3) {
      case 0: engine->replace(two.snapshot); break;
      case 1:
        directory.write_policies("rules: [\n");  // broken: must not disturb anyone
        refused += engine->reload(directory.paths()).empty() ? 0 : 1;
        directory.write_policies(testing::kPolicies);
        break;
      default: EXPECT_TRUE(engine->reload(directory.paths()).empty()); break;
    }
    ++reloads;
  }
  stop = true;
  for (auto& thread : deciders) thread.join();
  EXPECT_GT(decisions.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(refused, (reloads + 1) / 3);
  EXPECT_NE(engine->snapshot(), nullptr);
}

}  // namespace
}  // namespace pse::policy

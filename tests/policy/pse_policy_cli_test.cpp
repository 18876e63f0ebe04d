// The pse-policy binary, run as a child process: exit codes, output, --help everywhere.
#include "policy_fixture.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <cstdio>

namespace pse::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::PolicyConfigDirectory;

struct ChildRun {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

ChildRun pse_policy(const std::string& arguments) {
  const std::string command = std::string(PSE_POLICY_BINARY) + " " + arguments + " 2>&1";
  ChildRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), count);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

const std::string kShippedConfig = "--config-dir " PSE_SOURCE_DIR "/config";

TEST(PsePolicyCli, HelpForEveryCommand) {
  for (const char* arguments : {"--help", "validate --help", "explain --help", "test --help"}) {
    ChildRun run = pse_policy(arguments);
    EXPECT_EQ(run.exit_code, 0) << arguments;
    EXPECT_THAT(run.output, HasSubstr("usage: pse-policy")) << arguments;
  }
}

TEST(PsePolicyCli, UsageErrorsExitTwo) {
  for (const char* arguments : {"", "frobnicate", "validate --colour blue", "explain --consumer afe",
                                "explain --consumer a --provider b --category c --purpose p --at yesterday",
                                "explain --consumer a --provider b --category c --purpose p --fields a,,b", "test",
                                "validate --config-dir"}) {
    ChildRun run = pse_policy(arguments);
    EXPECT_EQ(run.exit_code, 2) << arguments << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr("usage:")) << arguments;
  }
}

TEST(PsePolicyCli, ValidateTheShippedConfig) {
  ChildRun run = pse_policy("validate " + kShippedConfig);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("configuration OK"));
}

// With the platform's keys: a rule that requires end-to-end encryption to a consumer with no
// registered key cannot be met (the shipped policies have two: to afe and to revenu-quebec).
// Every body's signing key, as scripts/dev-pki registers them (any 32 bytes do for validate).
void register_signing_keys(const std::filesystem::path& keys) {
  std::filesystem::create_directories(keys / "signing");
  for (const char* org : {"etat-civil", "ramq", "revenu-quebec", "retraite-quebec", "saaq", "afe", "services-quebec"}) {
    std::ofstream(keys / "signing" / (std::string(org) + ".pub")) << "7/rT6RP7a+FZTxiT1t5e5BA0Kjg5VQkey1FCEg/jSU0=\n";
  }
}

TEST(PsePolicyCli, ValidateWithTheKeysRefusesEncryptionToAConsumerWithoutAKey) {
  pse::testing::TempDir keys;
  register_signing_keys(keys.path());
  std::filesystem::create_directories(keys.path() / "encryption");
  std::ofstream(keys.path() / "encryption" / "afe.pub") << "7/rT6RP7a+FZTxiT1t5e5BA0Kjg5VQkey1FCEg/jSU0=\n";
  ChildRun run = pse_policy("validate " + kShippedConfig + " --keys-dir " + keys.path().string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, ::testing::ContainsRegex("policies.yaml:[0-9]+: rule 'revenu-quebec-pension-contributions': "
                                                   "end_to_end_encryption to 'revenu-quebec', which has no encryption key "
                                                   "registered"));
  EXPECT_THAT(run.output, Not(HasSubstr("'afe-income-2024'")));

  std::ofstream(keys.path() / "encryption" / "revenu-quebec.pub") << "7/rT6RP7a+FZTxiT1t5e5BA0Kjg5VQkey1FCEg/jSU0=\n";
  ChildRun met = pse_policy("validate " + kShippedConfig + " --keys-dir " + keys.path().string());
  EXPECT_EQ(met.exit_code, 0) << met.output;
}

// The shipped classification requires signed records from integrity élevé: a provider of such
// a category without a registered signing key cannot serve its rules.
TEST(PsePolicyCli, ValidateWithTheKeysRefusesASignedCategoryFromAProviderWithoutASigningKey) {
  pse::testing::TempDir keys;
  register_signing_keys(keys.path());
  std::filesystem::create_directories(keys.path() / "encryption");
  for (const char* org : {"afe", "revenu-quebec"}) {
    std::ofstream(keys.path() / "encryption" / (std::string(org) + ".pub")) << "7/rT6RP7a+FZTxiT1t5e5BA0Kjg5VQkey1FCEg/jSU0=\n";
  }
  std::filesystem::remove(keys.path() / "signing" / "etat-civil.pub");
  ChildRun run = pse_policy("validate " + kShippedConfig + " --keys-dir " + keys.path().string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, ::testing::ContainsRegex("policies.yaml:[0-9]+: rule 'ramq-death-notice': identity.death "
                                                   "requires records signed by their provider, and 'etat-civil' has no "
                                                   "signing key registered"));
  EXPECT_THAT(run.output, Not(HasSubstr("'ramq'")));  // RAMQ's key is there
}

// An exchange under notify_subject is told to the citizen through an access notice published in
// the provider's name: a provider that may not publish it, or whose notices nobody receives,
// makes the obligation impossible to meet.
TEST(PsePolicyCli, ValidateRefusesNotifySubjectThatCannotReachTheCitizen) {
  PolicyConfigDirectory directory;
  directory.write_policies(
      "rules:\n  - {id: told, consumer: alpha, provider: beta, category: test.record, purposes: [x], basis: law, "
      "legal_reference: L, fields: [name], obligations: [notify_subject]}\n");
  ChildRun run = pse_policy("validate --config-dir " + directory.path().string());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, ::testing::ContainsRegex("policies.yaml:[0-9]+: rule 'told': notify_subject cannot be met: "
                                                   "the classification has no category notice.data_access"));
}

TEST(PsePolicyCli, ValidateReportsEveryProblemWithFileAndLine) {
  PolicyConfigDirectory directory;
  directory.write_policies(
      "rules:\n  - id: a\n    colour: blue\n  - {id: b, consumer: alpha, provider: beta, category: test.record, "
      "purposes: [x], basis: maybe, fields: [name]}\n");
  ChildRun run = pse_policy("validate --config-dir " + directory.path().string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("policies.yaml:3: unknown key 'colour'"));
  EXPECT_THAT(run.output, HasSubstr("policies.yaml:4: rule 'b': basis must be"));
  EXPECT_THAT(run.output, Not(HasSubstr("configuration OK")));

  ChildRun missing = pse_policy("validate --config-dir /nonexistent-pse-config");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("/nonexistent-pse-config/orgs.yaml: cannot open file"));
}

TEST(PsePolicyCli, ExplainAnAllowedExchange) {
  ChildRun run = pse_policy("explain " + kShippedConfig +
                       " --consumer afe --provider ramq --category health.insurance_coverage"
                       " --purpose student_aid_eligibility --fields coverage_status,health_insurance_number"
                       " --at 2026-03-01");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("decision     allow"));
  EXPECT_THAT(run.output, HasSubstr("rule         afe-coverage-check"));
  EXPECT_THAT(run.output, HasSubstr("refused      health_insurance_number (clearance_insufficient)"));
  EXPECT_THAT(run.output, HasSubstr("the classification wins over any rule"));
  // health.insurance_coverage is rated integrity élevé: its records are signed.
  EXPECT_THAT(run.output, HasSubstr("integrity    the provider signs every field"));
}

TEST(PsePolicyCli, ExplainSaysWhenARecordIsNotSigned) {
  ChildRun run = pse_policy("explain " + kShippedConfig +
                       " --consumer pse-notify --provider services-quebec --category public_services.office_locations"
                       " --purpose subject_notification --at 2026-03-01 --json");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const auto json = boost::json::parse(run.output).as_object();
  EXPECT_EQ(json.at("signed_records"), false);
  EXPECT_THAT(std::string(json.at("integrity").as_string()), HasSubstr("not signed"));
}

// Each obligation of the rule comes with what the hub does for it.
TEST(PsePolicyCli, ExplainSaysWhatTheHubDoesForEachObligation) {
  ChildRun run = pse_policy("explain " + kShippedConfig +
                       " --consumer revenu-quebec --provider retraite-quebec --category pension.contributions"
                       " --purpose tax_assessment --at 2026-03-01");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("obligations  end_to_end_encryption"));
  EXPECT_THAT(run.output, HasSubstr("  end_to_end_encryption: the provider's connector seals the record"));

  ChildRun json_run = pse_policy("explain --json " + kShippedConfig +
                            " --consumer afe --provider ramq --category health.insurance_coverage"
                            " --purpose student_aid_eligibility --at 2026-03-01");
  ASSERT_EQ(json_run.exit_code, 0) << json_run.output;
  const boost::json::object json = boost::json::parse(json_run.output).as_object();
  EXPECT_THAT(std::string(json.at("what_the_hub_does").at("notify_subject").as_string()),
              HasSubstr("the hub publishes an access notice (notice.data_access)"));
}

TEST(PsePolicyCli, ExplainWhyNoRuleMatchedAsJson) {
  ChildRun run = pse_policy("explain --json " + kShippedConfig +
                       " --consumer afe --provider revenu-quebec --category tax.income_assessment"
                       " --purpose debt_collection --at 2026-03-01");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const boost::json::object json = boost::json::parse(run.output).as_object();
  EXPECT_EQ(json.at("decision").as_string(), "deny");
  EXPECT_EQ(json.at("reason").as_string(), "purpose_not_allowed");
  EXPECT_TRUE(json.at("rule").is_null());
  EXPECT_EQ(json.at("request").at("at").as_string(), "2026-03-01T00:00:00Z");
  const std::string why = boost::json::serialize(json.at("explanation"));
  EXPECT_THAT(why, HasSubstr("none allows purpose 'debt_collection'"));
  EXPECT_THAT(why, HasSubstr("afe-income-2024"));
}

TEST(PsePolicyCli, ExplainOnABrokenConfigExitsTwo) {
  PolicyConfigDirectory directory;
  directory.write_classification("categories: [\n");
  ChildRun run = pse_policy("explain --config-dir " + directory.path().string() +
                       " --consumer alpha --provider beta --category test.record --purpose eligibility");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("classification.yaml"));
}

TEST(PsePolicyCli, TestTheShippedCases) {
  ChildRun run = pse_policy("test " PSE_SOURCE_DIR "/config/policy-tests/shipped-policies.yaml " + kShippedConfig);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr(" passed, 0 failed"));
}

TEST(PsePolicyCli, FailingCasesExitOneWithADiff) {
  ChildRun run = pse_policy("test " PSE_SOURCE_DIR "/tests/policy/data/failing-cases.yaml " + kShippedConfig);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("PASS  RAMQ registers a newborn"));
  EXPECT_THAT(run.output, HasSubstr("FAIL  AFE wrongly expects the health insurance number"));
  EXPECT_THAT(run.output, HasSubstr("- fields: [coverage_status, health_insurance_number]"));
  EXPECT_THAT(run.output, HasSubstr("+ fields: [coverage_status]"));
  EXPECT_THAT(run.output, HasSubstr("- reason: no_rule"));
  EXPECT_THAT(run.output, HasSubstr("+ reason: purpose_not_allowed"));
  EXPECT_THAT(run.output, HasSubstr("1 passed, 2 failed"));
}

TEST(PsePolicyCli, AMalformedCaseFileExitsTwo) {
  pse::testing::TempDir directory;
  const auto file = directory.write("cases.yaml", "cases:\n  - name: x\n    request: {consumer: a}\n");
  ChildRun run = pse_policy("test " + file.string() + " " + kShippedConfig);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("cases.yaml:3"));
  const auto no_time = directory.write("no-time.yaml",
      "cases:\n  - name: x\n    request: {consumer: a, provider: b, category: c, purpose: p}\n"
      "    expect: {decision: deny}\n");
  EXPECT_THAT(pse_policy("test " + no_time.string() + " " + kShippedConfig).output, HasSubstr("has no time"));
  const auto bad_reason = directory.write("bad-reason.yaml",
      "at: 2026-01-01\ncases:\n  - name: x\n    request: {consumer: a, provider: b, category: c, purpose: p}\n"
      "    expect: {decision: deny, reason: nope}\n");
  ChildRun bad = pse_policy("test " + bad_reason.string() + " " + kShippedConfig);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("'nope' is not a reason code"));
}

}  // namespace
}  // namespace pse::policy

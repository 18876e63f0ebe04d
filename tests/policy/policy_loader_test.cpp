// Loading policies.yaml and checking it against orgs.yaml and classification.yaml: each class
// of malformed input is refused with the file, the line and the reason.
#include "policy/policy_config.hpp"

#include "policy_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::policy {
namespace {

using ::testing::HasSubstr;
using testing::PolicyConfigDirectory;

struct Problem {
  std::string message;  ///< what(): "file:line: reason"
  int line = 0;
};

std::vector<Problem> problems_with_policies(const std::string& policies) {
  PolicyConfigDirectory directory;
  directory.write_policies(policies);
  std::vector<Problem> problems;
  for (const ConfigError& error : directory.load().errors) problems.push_back({error.what(), error.line()});
  return problems;
}

// The only problem of `policies`; fails the test when there is not exactly one.
Problem problem_with_policies(const std::string& policies) {
  std::vector<Problem> problems = problems_with_policies(policies);
  EXPECT_EQ(problems.size(), 1u) << policies;
  return problems.empty() ? Problem{"no error", 0} : problems.front();
}

// One rule around `body`, which gives or overrides keys (later keys are written last).
std::string rule(const std::string& body, const std::string& id = "r1") {
  return "rules:\n  - id: " + id +
         "\n    consumer: alpha\n    provider: beta\n    category: test.record\n"
         "    purposes: [eligibility]\n" + body;
}

const std::string kBasisAndFields = "    basis: consent\n    fields: [name]\n";

TEST(PolicyLoader, TheFixtureLoads) {
  CompileOutcome outcome = PolicyConfigDirectory().load();
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().what();
  EXPECT_EQ(outcome.snapshot->rules().size(), 3u);
}

TEST(PolicyLoader, ShippedConfigLoads) {
  CompileOutcome outcome = load_policy_config(PolicyConfigPaths::in_directory(PSE_SOURCE_DIR "/config"));
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().what();
  EXPECT_GE(outcome.snapshot->classification().size(), 8u);
  std::set<std::string> owners;
  for (const auto& [id, category] : outcome.snapshot->classification().all()) owners.insert(category.owner);
  EXPECT_GE(owners.size(), 5u);
}

TEST(PolicyLoader, FileLevelProblems) {
  PolicyConfigDirectory directory;
  std::filesystem::remove(directory.path() / "policies.yaml");
  CompileOutcome missing = directory.load();
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_THAT(missing.errors[0].what(), HasSubstr("policies.yaml: cannot open file"));
  EXPECT_EQ(missing.snapshot, nullptr);

  EXPECT_THAT(problem_with_policies("").message, HasSubstr("file is empty"));
  EXPECT_THAT(problem_with_policies("- a\n- b\n").message, HasSubstr("top level must be a mapping"));
  Problem syntax = problem_with_policies("rules:\n  - id: [unclosed\n");
  EXPECT_THAT(syntax.message, HasSubstr("invalid YAML"));
  EXPECT_GT(syntax.line, 0);
  EXPECT_THAT(problem_with_policies("rulez: []\n").message, HasSubstr("rules is required"));
  EXPECT_THAT(problem_with_policies("rules: []\nextra: 1\n").message, HasSubstr("unknown key 'extra'"));
  EXPECT_THAT(problem_with_policies("rules: {a: 1}\n").message, HasSubstr("rules must be a list"));
  EXPECT_THAT(problem_with_policies("rules:\n  - just a string\n").message, HasSubstr("rule must be a mapping"));
}

TEST(PolicyLoader, ErrorsNameTheFileAndLine) {
  Problem problem = problem_with_policies(rule(kBasisAndFields + "    colour: blue\n"));
  EXPECT_THAT(problem.message, HasSubstr("policies.yaml:9: unknown key 'colour' in rule"));
  EXPECT_EQ(problem.line, 9);
}

TEST(PolicyLoader, RuleKeyProblems) {
  EXPECT_THAT(problem_with_policies("rules:\n  - consumer: alpha\n").message, HasSubstr("rule.id is required"));
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields, "Bad Id")).message, HasSubstr("rule id 'Bad Id' is invalid"));
  EXPECT_THAT(problem_with_policies("rules:\n  - {id: r1, provider: beta, category: test.record, purposes: [x], "
                                    "basis: consent, fields: [name]}\n").message,
              HasSubstr("rule.consumer is required"));
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields) + rule(kBasisAndFields).substr(7)).message,
              HasSubstr("rule id 'r1' is used twice"));
  Problem duplicate_key = problem_with_policies(rule(kBasisAndFields + "    consumer: gamma\n"));
  EXPECT_THAT(duplicate_key.message, HasSubstr("duplicate key 'consumer'"));
  EXPECT_EQ(duplicate_key.line, 9);
}

TEST(PolicyLoader, BasisProblems) {
  EXPECT_THAT(problem_with_policies(rule("    basis: law\n    fields: [name]\n")).message,
              HasSubstr("basis 'law' needs a legal_reference"));
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    legal_reference: Act\n    fields: [name]\n")).message,
              HasSubstr("legal_reference is only for basis 'law'"));
  EXPECT_THAT(problem_with_policies(rule("    basis: trust\n    fields: [name]\n")).message,
              HasSubstr("basis must be 'consent' or 'law', got 'trust'"));
  EXPECT_THAT(problem_with_policies(rule("    fields: [name]\n")).message, HasSubstr("rule.basis is required"));
}

TEST(PolicyLoader, ListProblems) {
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    fields: []\n")).message,
              HasSubstr("fields must not be empty"));
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n")).message, HasSubstr("rule.fields is required"));
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    fields: name\n")).message,
              HasSubstr("fields must be a list"));
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    fields: [name, name]\n")).message,
              HasSubstr("lists 'name' twice"));
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    fields: [Name]\n")).message,
              HasSubstr("fields entry 'Name' is invalid"));
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    fields: [[name]]\n")).message,
              HasSubstr("items must be non-empty values"));
}

TEST(PolicyLoader, ValidityProblems) {
  Problem bad_date = problem_with_policies(rule(kBasisAndFields + "    valid_from: 2025-02-30\n"));
  EXPECT_THAT(bad_date.message, HasSubstr("valid_from must be a UTC date"));
  EXPECT_EQ(bad_date.line, 9);
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields + "    valid_from: 2025-06-01\n    valid_until: 2025-01-01\n"))
                  .message,
              HasSubstr("valid_until must be after valid_from"));
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields + "    valid_until: next year\n")).message,
              HasSubstr("valid_until must be a UTC date"));
}

TEST(PolicyLoader, RateLimitAndObligationProblems) {
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields + "    rate_limit: {requests: 0, per: minute}\n")).message,
              HasSubstr("requests must be between 1"));
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields + "    rate_limit: {requests: 5, per: week}\n")).message,
              HasSubstr("per must be second, minute, hour or day"));
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields + "    rate_limit: {requests: 5}\n")).message,
              HasSubstr("per is required"));
  EXPECT_THAT(problem_with_policies(rule(kBasisAndFields + "    rate_limit: {requests: 5, per: day, burst: 3}\n")).message,
              HasSubstr("unknown key 'burst'"));
  Problem obligation = problem_with_policies(rule(kBasisAndFields + "    obligations: [notify_subject, shred]\n"));
  EXPECT_THAT(obligation.message, HasSubstr("unknown obligation 'shred'"));
  EXPECT_EQ(obligation.line, 9);
}

TEST(PolicyLoader, RulesMustAgreeWithOrganisationsAndClassification) {
  EXPECT_THAT(problem_with_policies(rule("    basis: consent\n    fields: [name]\n", "r1")
                                        .replace(rule("").find("alpha"), 5, "omega")).message,
              HasSubstr("rule 'r1': consumer 'omega' is not an organisation of orgs.yaml"));
  EXPECT_THAT(problem_with_policies("rules:\n  - {id: r1, consumer: beta, provider: beta, category: test.record, "
                                    "purposes: [x], basis: consent, fields: [name]}\n").message,
              HasSubstr("'beta' holds neither the consumer nor the subscriber role"));
  EXPECT_THAT(problem_with_policies("rules:\n  - {id: r1, consumer: alpha, provider: delta, category: test.record, "
                                    "purposes: [x], basis: consent, fields: [name]}\n").message,
              HasSubstr("'delta' holds neither the provider nor the publisher role"));
  EXPECT_THAT(problem_with_policies("rules:\n  - {id: r1, consumer: alpha, provider: beta, category: test.nothing, "
                                    "purposes: [x], basis: consent, fields: [name]}\n").message,
              HasSubstr("category 'test.nothing' is not in classification.yaml"));
  Problem field = problem_with_policies(rule("    basis: consent\n    fields:\n      - name\n      - shoe_size\n"));
  EXPECT_THAT(field.message, HasSubstr("field 'shoe_size' is not a field of category 'test.record'"));
  EXPECT_EQ(field.line, 10);
}

TEST(PolicyLoader, ARuleGrantingAFieldAboveClearanceIsAnErrorNamingTheRule) {
  Problem problem = problem_with_policies(rule("    basis: consent\n    fields:\n      - name\n      - secret\n",
                                               "too-generous"));
  EXPECT_THAT(problem.message, HasSubstr("policies.yaml:10: rule 'too-generous': grants field 'secret' of "
                                         "confidentiality 3 (high) to 'alpha', whose clearance is 2"));
  EXPECT_EQ(problem.line, 10);
}

TEST(PolicyLoader, OverlappingRulesAreRefused) {
  const std::string first = rule(kBasisAndFields + "    valid_until: 2025-06-30\n", "first");
  const std::string second = rule(kBasisAndFields + "    valid_from: 2025-06-30\n", "second").substr(7);
  Problem problem = problem_with_policies(first + second);
  EXPECT_THAT(problem.message, HasSubstr("rule 'second': overlaps rule 'first'"));
  // Back to back is fine: `valid_until` is inclusive of its day, the next rule starts after it.
  const std::string adjacent = rule(kBasisAndFields + "    valid_from: 2025-07-01\n", "second").substr(7);
  EXPECT_TRUE(problems_with_policies(first + adjacent).empty());
  // Different purposes never overlap.
  std::string other_purpose = rule(kBasisAndFields, "third").substr(7);
  other_purpose.replace(other_purpose.find("eligibility"), 11, "audit");
  EXPECT_TRUE(problems_with_policies(first + other_purpose).empty());
}

TEST(PolicyLoader, EveryProblemIsReportedInOneRun) {
  std::vector<Problem> problems = problems_with_policies(
      rule(kBasisAndFields + "    colour: blue\n", "a") + rule("    basis: maybe\n    fields: [name]\n", "b").substr(7) +
      rule("    basis: consent\n    fields: [secret]\n", "c").substr(7) + rule(kBasisAndFields, "d").substr(7));
  ASSERT_EQ(problems.size(), 2u);  // the cross-file check waits for the file itself to be valid
  EXPECT_THAT(problems[0].message, HasSubstr("unknown key 'colour'"));
  EXPECT_THAT(problems[1].message, HasSubstr("basis must be"));

  std::vector<Problem> cross_file = problems_with_policies(
      rule("    basis: consent\n    fields: [secret]\n", "c") + rule("    basis: consent\n    fields: [shoe]\n", "e").substr(7));
  ASSERT_EQ(cross_file.size(), 2u);
  EXPECT_THAT(cross_file[0].message, HasSubstr("rule 'c'"));
  EXPECT_THAT(cross_file[1].message, HasSubstr("rule 'e'"));
}

TEST(PolicyLoader, TheTextLoaderAgreesWithTheFileLoader) {
  PolicyConfigDirectory directory;
  CompileOutcome from_files = directory.load();
  std::vector<ConfigError> errors;
  OrganisationRegistry organisations = load_organisations(directory.paths().organisations);
  CompileOutcome from_text = compile_policies_text(from_files.snapshot->classification(), organisations,
                                                   testing::kPolicies, "policies.yaml");
  ASSERT_TRUE(from_text.errors.empty());
  EXPECT_EQ(from_text.snapshot->rules().size(), from_files.snapshot->rules().size());
}

}  // namespace
}  // namespace pse::policy

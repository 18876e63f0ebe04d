// Loading classification.yaml: the model, and each class of malformed input.
#include "policy/classification_reader.hpp"

#include "policy_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::policy {
namespace {

using ::testing::HasSubstr;
using testing::PolicyConfigDirectory;

std::vector<ConfigError> problems_with_classification(const std::string& text) {
  PolicyConfigDirectory directory;
  directory.write_classification(text);
  return directory.load().errors;
}

std::string problem_with_classification(const std::string& text, int* line = nullptr) {
  std::vector<ConfigError> problems = problems_with_classification(text);
  EXPECT_EQ(problems.size(), 1u) << text;
  if (problems.empty()) return "no error";
  if (line) *line = problems.front().line();
  return problems.front().what();
}

std::string category(const std::string& impact, const std::string& fields, const std::string& extra = "") {
  return "categories:\n  - id: test.c\n    owner: beta\n    description: d\n    impact: " + impact +
         "\n    fields:\n" + fields + extra;
}

const std::string kImpact = "{availability: 1, integrity: 1, confidentiality: 2}";
const std::string kFields = "      - {name: a, confidentiality: 1}\n";

TEST(ClassificationLoader, ReadsTheModel) {
  CompileOutcome outcome = PolicyConfigDirectory().load();
  ASSERT_TRUE(outcome.errors.empty());
  const Classification& classification = outcome.snapshot->classification();
  const Category* record = classification.find("test.record");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->owner, "beta");
  EXPECT_TRUE(record->personal_information);
  EXPECT_EQ(record->impact.availability, 1);
  EXPECT_EQ(record->impact.integrity, 2);  // written as its label, "medium"
  EXPECT_EQ(record->impact.confidentiality, 3);
  ASSERT_EQ(record->fields.size(), 4u);
  EXPECT_EQ(record->find_field("income")->confidentiality, 2);
  EXPECT_EQ(record->find_field("nothing"), nullptr);
  EXPECT_FALSE(classification.find("test.other")->personal_information);
  EXPECT_EQ(classification.label(3), "high");
  EXPECT_EQ(classification.find("test.nothing"), nullptr);
}

TEST(ClassificationLoader, LevelProblems) {
  int line = 0;
  EXPECT_THAT(problem_with_classification(category("{availability: 4, integrity: 1, confidentiality: 2}", kFields), &line),
              HasSubstr("must be a level 0–3 or one of its labels"));
  EXPECT_EQ(line, 5);
  EXPECT_THAT(problem_with_classification(category("{availability: 1, integrity: 1}", kFields)),
              HasSubstr("confidentiality is required"));
  EXPECT_THAT(problem_with_classification(category("{availability: 1, integrity: 1, confidentiality: 2, x: 1}", kFields)),
              HasSubstr("unknown key 'x'"));
  EXPECT_THAT(problem_with_classification("impact_levels: [a, b, c]\n" + category(kImpact, kFields)),
              HasSubstr("exactly 4 labels"));
  EXPECT_THAT(problem_with_classification("impact_levels: [a, b, b, c]\n" + category(kImpact, kFields)),
              HasSubstr("label 'b' is repeated"));
  EXPECT_THAT(problem_with_classification(category(kImpact, "      - {name: a, confidentiality: 3}\n"), &line),
              HasSubstr("field 'a' has confidentiality 3, above the category's rating 2"));
  EXPECT_EQ(line, 7);
}

TEST(ClassificationLoader, CategoryAndFieldProblems) {
  EXPECT_THAT(problem_with_classification("categories: []\n"), HasSubstr("categories must not be empty"));
  EXPECT_THAT(problem_with_classification("categories: {}\n"), HasSubstr("categories must be a list"));
  EXPECT_THAT(problem_with_classification(category(kImpact, kFields).replace(20, 6, "Test.C")),
              HasSubstr("category id 'Test.C' is invalid"));
  EXPECT_THAT(problem_with_classification(category(kImpact, kFields).replace(38, 4, "nobody")),
              HasSubstr("owner 'nobody' is not an organisation of orgs.yaml"));
  EXPECT_THAT(problem_with_classification(category(kImpact, kFields + kFields)), HasSubstr("field 'a' is defined twice"));
  EXPECT_THAT(problem_with_classification(category(kImpact, "      - {name: 1a, confidentiality: 1}\n")),
              HasSubstr("field name '1a'"));
  EXPECT_THAT(problem_with_classification(category(kImpact, "      []\n")), HasSubstr("fields must be a non-empty list"));
  EXPECT_THAT(problem_with_classification(category(kImpact, kFields, "    personal_information: maybe\n")),
              HasSubstr("must be true or false"));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "      - {name: f" + std::to_string(i) + ", confidentiality: 1}\n";
  EXPECT_THAT(problem_with_classification(category(kImpact, many)), HasSubstr("more than the 64 allowed"));
  const std::string twice = category(kImpact, kFields) + category(kImpact, kFields).substr(12);
  EXPECT_THAT(problem_with_classification(twice), HasSubstr("category 'test.c' is defined twice"));
}

// A category may set the broker's wait for its provider; without it, its availability decides.
TEST(ClassificationLoader, AProviderTimeoutIsReadWithinItsBounds) {
  // The fixture's own classification, with one more category that sets it.
  PolicyConfigDirectory directory;
  directory.write_classification(testing::kClassification + category(kImpact, kFields, "    provider_timeout_ms: 1500\n").substr(12));
  CompileOutcome outcome = directory.load();
  ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().what();
  EXPECT_EQ(outcome.snapshot->classification().find("test.c")->provider_timeout_ms, 1500u);
  EXPECT_EQ(outcome.snapshot->classification().find("test.record")->provider_timeout_ms, 0u);

  EXPECT_THAT(problem_with_classification(category(kImpact, kFields, "    provider_timeout_ms: 5\n")),
              HasSubstr("provider_timeout_ms"));
  EXPECT_THAT(problem_with_classification(category(kImpact, kFields, "    provider_timeout_ms: soon\n")),
              HasSubstr("provider_timeout_ms"));
}

TEST(ClassificationLoader, EveryBadCategoryIsReported) {
  const std::string text = category("{availability: 9, integrity: 1, confidentiality: 2}", kFields) +
                           category(kImpact, kFields).substr(12).replace(8, 6, "test.d") +
                           category(kImpact, "      - {name: b}\n").substr(12).replace(8, 6, "test.e");
  std::vector<ConfigError> problems = problems_with_classification(text);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0].what(), HasSubstr("availability"));
  EXPECT_THAT(problems[1].what(), HasSubstr("confidentiality is required"));
}

TEST(ClassificationLoader, BrokenOrganisationsAreReportedWithTheClassificationsOwnProblems) {
  PolicyConfigDirectory directory;
  directory.write_organisations("organisations: [\n");
  directory.write_classification(category("{availability: 9, integrity: 1, confidentiality: 2}", kFields));
  std::vector<ConfigError> problems = directory.load().errors;
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0].what(), HasSubstr("orgs.yaml"));
  EXPECT_THAT(problems[1].what(), HasSubstr("classification.yaml:5"));
}

}  // namespace
}  // namespace pse::policy

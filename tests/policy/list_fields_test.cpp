// List fields in the classification (a legacy record's repeating group): each item field has
// its own confidentiality and is named "list.sub"; a rule or a request naming the list means
// each of its sub-fields, decided one by one, with clearance before the rule as for any field.
#include "policy/snapshot.hpp"

#include "policy_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::at;
using testing::PolicyConfigDirectory;

const std::string kFamily = testing::kClassification + R"(  - id: test.family
    owner: beta
    description: A household
    impact: {availability: 1, integrity: 1, confidentiality: 3}
    fields:
      - {name: household_id, confidentiality: 0}
      - name: dependants
        description: The household's dependants
        items:
          - {name: given_names, confidentiality: 1}
          - {name: birth_date, confidentiality: 2}
          - {name: health_number, confidentiality: 3}
)";

const std::string kFamilyRules = testing::kPolicies + R"(  - id: alpha-family
    consumer: alpha
    provider: beta
    category: test.family
    purposes: [eligibility]
    basis: law
    legal_reference: "Test Act, s. 3"
    fields: [household_id, dependants.given_names]
  - id: gamma-family
    consumer: gamma
    provider: beta
    category: test.family
    purposes: [eligibility]
    basis: law
    legal_reference: "Test Act, s. 4"
    fields: [dependants]
)";

std::string problem_with(const std::string& classification, const std::string& policies = testing::kPolicies) {
  const CompileOutcome outcome = PolicyConfigDirectory(testing::kOrganisations, classification, policies).load();
  return outcome.errors.empty() ? "no error" : outcome.errors.front().what();
}

class ListFieldDecisions : public ::testing::Test {
 protected:
  void SetUp() override {
    CompileOutcome outcome = PolicyConfigDirectory(testing::kOrganisations, kFamily, kFamilyRules).load();
    ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().what();
    snapshot_ = outcome.snapshot;
  }
  Decision decide(std::string_view consumer, std::vector<std::string> fields) const {
    return snapshot_->decide(
        DecisionRequest{consumer, "beta", "test.family", "eligibility", std::move(fields), at("2025-06-01")});
  }
  std::shared_ptr<const PolicySnapshot> snapshot_;
};

TEST_F(ListFieldDecisions, TheClassificationHoldsOneFieldPerSubField) {
  const Category* family = snapshot_->classification().find("test.family");
  ASSERT_NE(family, nullptr);
  ASSERT_EQ(family->fields.size(), 4u);
  EXPECT_EQ(family->fields[1].name, "dependants.given_names");
  EXPECT_EQ(family->fields[1].list, "dependants");
  EXPECT_EQ(family->fields[1].description, "The household's dependants");
  EXPECT_EQ(family->find_field("dependants.health_number")->confidentiality, 3);
  EXPECT_EQ(family->find_field("dependants"), nullptr);
  EXPECT_EQ(family->sub_fields("dependants").size(), 3u);
  EXPECT_TRUE(family->sub_fields("household_id").empty());
}

TEST_F(ListFieldDecisions, EachSubFieldIsDecidedOnItsOwn) {
  const Decision asked = decide("alpha", {"dependants.given_names", "dependants.birth_date"});
  EXPECT_TRUE(asked.allowed());
  EXPECT_THAT(asked.permitted_fields, ElementsAre("dependants.given_names"));
  ASSERT_EQ(asked.refused_fields.size(), 1u);
  EXPECT_EQ(asked.refused_fields[0].name, "dependants.birth_date");
  EXPECT_EQ(asked.refused_fields[0].reason, Reason::field_not_permitted);
  // The list by its name: each sub-field, with clearance first (alpha's is 2).
  const Decision whole = decide("alpha", {"dependants"});
  EXPECT_THAT(whole.permitted_fields, ElementsAre("dependants.given_names"));
  ASSERT_EQ(whole.refused_fields.size(), 2u);
  EXPECT_EQ(whole.refused_fields[0].name, "dependants.birth_date");
  EXPECT_EQ(whole.refused_fields[0].reason, Reason::field_not_permitted);
  EXPECT_EQ(whole.refused_fields[1].name, "dependants.health_number");
  EXPECT_EQ(whole.refused_fields[1].reason, Reason::clearance_insufficient);
  EXPECT_EQ(decide("alpha", {"dependants.shoe_size"}).refused_fields.at(0).reason, Reason::unknown_field);
}

TEST_F(ListFieldDecisions, ARuleNamingTheListGrantsEverySubField) {
  EXPECT_THAT(decide("gamma", {}).permitted_fields,
              ElementsAre("dependants.given_names", "dependants.birth_date", "dependants.health_number"));
  // Within the consumer's clearance only: the classification wins over the rule.
  const std::string over_clearance = testing::kPolicies + R"(  - id: alpha-all
    consumer: alpha
    provider: beta
    category: test.family
    purposes: [eligibility]
    basis: law
    legal_reference: "Test Act, s. 5"
    fields: [dependants]
)";
  EXPECT_THAT(problem_with(kFamily, over_clearance),
              HasSubstr("grants field 'dependants.health_number' of confidentiality 3"));
}

TEST(ListFieldClassification, BadListsAreRefusedWithTheirReason) {
  const std::string base = testing::kClassification + "  - id: test.family\n    owner: beta\n    description: d\n"
                                                      "    impact: {availability: 1, integrity: 1, confidentiality: 2}\n"
                                                      "    fields:\n";
  EXPECT_THAT(problem_with(base + "      - {name: l, confidentiality: 1, items: [{name: a, confidentiality: 1}]}\n"),
              HasSubstr("list field 'l': each of its items' fields has its own confidentiality"));
  EXPECT_THAT(problem_with(base + "      - {name: l, items: []}\n"), HasSubstr("list field 'l': items must be a non-empty list"));
  EXPECT_THAT(problem_with(base + "      - {name: l, items: [{name: m, items: [{name: a, confidentiality: 1}]}]}\n"),
              HasSubstr("a list cannot hold another list"));
  EXPECT_THAT(problem_with(base + "      - {name: l, items: [{name: a, confidentiality: 3}]}\n"),
              HasSubstr("field 'l.a' has confidentiality 3, above the category's rating 2"));
  EXPECT_THAT(problem_with(base + "      - {name: l, confidentiality: 1}\n      - {name: l, items: [{name: a, confidentiality: 1}]}\n"),
              HasSubstr("field 'l.a' is defined twice"));
  EXPECT_THAT(problem_with(base + "      - {name: l, items: [{name: a, confidentiality: 1}]}\n      - {name: l, confidentiality: 1}\n"),
              HasSubstr("field 'l' is defined twice"));
  std::string many = base + "      - name: l\n        items:\n";
  for (int i = 0; i < 65; ++i) many += "          - {name: f" + std::to_string(i) + ", confidentiality: 1}\n";
  EXPECT_THAT(problem_with(many), HasSubstr("has 65 fields (a list's sub-fields count), more than the 64 allowed"));
}

}  // namespace
}  // namespace pse::policy

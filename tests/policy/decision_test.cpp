// PolicySnapshot::decide(): every reason code, clearance over rules, minimisation, windows.
#include "policy/snapshot.hpp"

#include "policy_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::at;
using testing::PolicyConfigDirectory;

class Decide : public ::testing::Test {
 protected:
  void SetUp() override {
    CompileOutcome outcome = PolicyConfigDirectory().load();
    ASSERT_TRUE(outcome.errors.empty()) << outcome.errors.front().what();
    snapshot_ = outcome.snapshot;
  }

  Decision decide(std::string_view consumer, std::string_view category, std::string_view purpose,
                  std::vector<std::string> fields = {}, const std::string& when = "2025-06-01",
                  std::string_view provider = "beta") const {
    return snapshot_->decide(DecisionRequest{consumer, provider, category, purpose, std::move(fields), at(when)});
  }

  std::shared_ptr<const PolicySnapshot> snapshot_;
};

TEST_F(Decide, AllowCarriesRuleBasisObligationsAndRateLimit) {
  const Decision decision = decide("alpha", "test.record", "eligibility");
  EXPECT_TRUE(decision.allowed());
  EXPECT_EQ(decision.reason, std::nullopt);
  EXPECT_EQ(decision.rule_id, "alpha-2025");
  EXPECT_THAT(decision.permitted_fields, ElementsAre("name", "income"));
  EXPECT_THAT(decision.refused_fields, IsEmpty());
  EXPECT_EQ(decision.basis.kind, BasisKind::consent);
  EXPECT_TRUE(decision.obligations.contains(Obligation::notify_subject));
  EXPECT_TRUE(decision.obligations.contains(Obligation::end_to_end_encryption));
  EXPECT_FALSE(decision.obligations.contains(Obligation::no_onward_disclosure));
  ASSERT_TRUE(decision.rate_limit);
  EXPECT_EQ(decision.rate_limit->requests, 10u);
  EXPECT_EQ(decision.rate_limit->period, std::chrono::seconds(60));
}

TEST_F(Decide, LawBasisCarriesTheLegalReference) {
  const Decision decision = decide("alpha", "test.record", "eligibility", {}, "2026-02-01");
  EXPECT_TRUE(decision.allowed());
  EXPECT_EQ(decision.rule_id, "alpha-2026");
  EXPECT_EQ(decision.basis.kind, BasisKind::law);
  EXPECT_EQ(decision.basis.legal_reference, "Test Act, s. 1");
  EXPECT_TRUE(decision.obligations.empty());
  EXPECT_FALSE(decision.rate_limit);
}

TEST_F(Decide, UnknownCategory) {
  const Decision decision = decide("alpha", "test.nothing", "eligibility");
  EXPECT_FALSE(decision.allowed());
  EXPECT_EQ(decision.reason, Reason::unknown_category);
  EXPECT_EQ(decision.rule_id, "");
  EXPECT_EQ(decision.basis.kind, BasisKind::none);
}

TEST_F(Decide, UnknownConsumerOrProvider) {
  EXPECT_EQ(decide("omega", "test.record", "eligibility").reason, Reason::unknown_org);
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2025-06-01", "omega").reason, Reason::unknown_org);
}

TEST_F(Decide, NoRuleIsDenyByDefault) {
  EXPECT_EQ(decide("alpha", "test.other", "eligibility").reason, Reason::no_rule);
  EXPECT_EQ(decide("delta", "test.record", "eligibility").reason, Reason::no_rule);
  // Rules are directed: gamma may receive from beta, beta may not receive from gamma.
  EXPECT_EQ(decide("beta", "test.record", "eligibility", {}, "2025-06-01", "gamma").reason, Reason::no_rule);
}

TEST_F(Decide, PurposeNotAllowed) {
  const Decision unknown_purpose = decide("alpha", "test.record", "marketing");
  EXPECT_EQ(unknown_purpose.reason, Reason::purpose_not_allowed);
  EXPECT_EQ(unknown_purpose.rule_id, "");
  // `audit` is a purpose of some rule, but not of any rule for gamma.
  EXPECT_EQ(decide("gamma", "test.record", "audit").reason, Reason::purpose_not_allowed);
}

TEST_F(Decide, ValidityWindowsAreHalfOpenAndInclusiveOfTheLastDay) {
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2024-12-31T23:59:59Z").reason, Reason::rule_expired);
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2024-12-31T23:59:59Z").rule_id, "alpha-2025");
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2025-01-01T00:00:00Z").rule_id, "alpha-2025");
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2025-12-31T23:59:59Z").rule_id, "alpha-2025");
  // The next rule takes over at midnight.
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2026-01-01").rule_id, "alpha-2026");
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2099-01-01").rule_id, "alpha-2026");
  // `audit` is only allowed by the 2025 rule, so it expires with it.
  const Decision expired = decide("alpha", "test.record", "audit", {}, "2026-06-01");
  EXPECT_EQ(expired.reason, Reason::rule_expired);
  EXPECT_EQ(expired.rule_id, "alpha-2025");
  EXPECT_THAT(expired.permitted_fields, IsEmpty());
}

TEST_F(Decide, TheSameRequestDependsOnlyOnTheTimeGiven) {
  const Decision first = decide("alpha", "test.record", "eligibility", {}, "2025-06-01");
  const Decision later = decide("alpha", "test.record", "eligibility", {}, "2026-06-01");
  EXPECT_THAT(first.permitted_fields, ElementsAre("name", "income"));
  EXPECT_THAT(later.permitted_fields, ElementsAre("name"));
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {}, "2025-06-01").permitted_fields, first.permitted_fields);
}

TEST_F(Decide, MinimisationIsRequestedIntersectRuleIntersectClearance) {
  const Decision decision = decide("alpha", "test.record", "eligibility", {"income", "public_note", "name"});
  EXPECT_TRUE(decision.allowed());
  // Category order, not request order; public_note is within clearance but not in the rule.
  EXPECT_THAT(decision.permitted_fields, ElementsAre("name", "income"));
  EXPECT_THAT(decision.refused_fields, ElementsAre(RefusedField{"public_note", Reason::field_not_permitted}));

  const Decision only_name = decide("alpha", "test.record", "eligibility", {"name"});
  EXPECT_THAT(only_name.permitted_fields, ElementsAre("name"));
  EXPECT_THAT(only_name.refused_fields, IsEmpty());
}

TEST_F(Decide, RefusedFieldsAreNamedNotDropped) {
  const Decision decision =
      decide("alpha", "test.record", "eligibility", {"name", "secret", "public_note", "shoe_size", "name"});
  EXPECT_TRUE(decision.allowed());
  EXPECT_THAT(decision.permitted_fields, ElementsAre("name"));
  EXPECT_THAT(decision.refused_fields,
              ElementsAre(RefusedField{"secret", Reason::clearance_insufficient},
                          RefusedField{"public_note", Reason::field_not_permitted},
                          RefusedField{"shoe_size", Reason::unknown_field}));
}

TEST_F(Decide, ClearanceWinsOverTheRule) {
  // gamma's rule grants `secret`; gamma's clearance (3) allows it.
  EXPECT_THAT(decide("gamma", "test.record", "eligibility", {"secret"}).permitted_fields, ElementsAre("secret"));
  // alpha (clearance 2) asking for `secret` is refused for clearance, not merely for the rule:
  // the classification is the stronger reason and is checked first.
  const Decision decision = decide("alpha", "test.record", "eligibility", {"secret"});
  EXPECT_FALSE(decision.allowed());
  EXPECT_EQ(decision.reason, Reason::clearance_insufficient);
  EXPECT_EQ(decision.rule_id, "alpha-2025");
  EXPECT_THAT(decision.refused_fields, ElementsAre(RefusedField{"secret", Reason::clearance_insufficient}));
  EXPECT_EQ(decision.basis.kind, BasisKind::none);
}

TEST_F(Decide, ClearanceWinsEvenWhenAReloadedRegistryLowersIt) {
  // Lowering gamma's clearance below its rule's fields makes the files contradict each other:
  // the snapshot is refused, naming the rule, rather than loaded with a rule nobody can honour.
  PolicyConfigDirectory directory;
  directory.write_organisations(R"(organisations:
  - {id: alpha, name: Alpha, clearance: 2, roles: [consumer]}
  - {id: beta, name: Beta, clearance: 3, roles: [provider]}
  - {id: gamma, name: Gamma, clearance: 2, roles: [consumer, provider]}
)");
  CompileOutcome outcome = directory.load();
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_THAT(outcome.errors[0].what(), ::testing::HasSubstr("rule 'gamma-record'"));
  EXPECT_THAT(outcome.errors[0].what(), ::testing::HasSubstr("the classification wins"));
}

TEST_F(Decide, EveryRequestedFieldRefusedDeniesWithTheStrongestReason) {
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {"public_note"}).reason, Reason::field_not_permitted);
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {"shoe_size"}).reason, Reason::unknown_field);
  EXPECT_EQ(decide("alpha", "test.record", "eligibility", {"shoe_size", "public_note", "secret"}).reason,
            Reason::clearance_insufficient);
}

}  // namespace
}  // namespace pse::policy

// A connector's hello and, after a reload, its roles: decided from the organisation and the
// policy in force (broker/connector/connector_admission.hpp), with real compiled snapshots.
#include "broker/connector/connector_admission.hpp"

#include "policy/policy_fixture.hpp"

#include <gtest/gtest.h>

namespace pse::broker {
namespace {

// The policy fixture's organisations, and one subscriber.
constexpr const char* kOrganisations = R"(organisations:
  - {id: alpha, name: Alpha, clearance: 2, roles: [consumer]}
  - {id: beta, name: Beta, clearance: 3, roles: [provider]}
  - {id: gamma, name: Gamma, clearance: 3, roles: [consumer, provider]}
  - {id: delta, name: Delta, clearance: 1}
  - {id: epsilon, name: Epsilon, clearance: 1, roles: [subscriber]}
)";

std::shared_ptr<const policy::PolicySnapshot> load(const std::string& organisations = kOrganisations) {
  policy::CompileOutcome outcome = policy::testing::PolicyConfigDirectory(organisations).load();
  EXPECT_TRUE(outcome.errors.empty()) << outcome.errors.front().what();
  return outcome.snapshot;
}

const policy::Organisation& org(const policy::PolicySnapshot& snapshot, std::string_view id) {
  const policy::Organisation* found = snapshot.organisations().find(id);
  EXPECT_NE(found, nullptr) << id;
  return *found;
}

ConnectorHello serving(std::vector<std::string> categories) { return ConnectorHello{std::move(categories), {}, {}}; }

ConnectorHello subscribing(std::string category, std::string purpose = "eligibility") {
  return ConnectorHello{{}, {{std::move(category), std::move(purpose)}}, {}};
}

TEST(ConnectorAdmission, AProviderServesTheCategoriesItOwns) {
  const auto snapshot = load();
  EXPECT_EQ(check_hello(org(*snapshot, "beta"), *snapshot, serving({"test.record", "test.other"})), std::nullopt);
}

TEST(ConnectorAdmission, ServingNeedsTheProviderRoleAKnownCategoryAndOwnership) {
  const auto snapshot = load();
  auto refusal = check_hello(org(*snapshot, "alpha"), *snapshot, serving({"test.record"}));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason, Reason::no_rule);
  EXPECT_EQ(refusal->message, "'alpha' does not have the provider role");

  refusal = check_hello(org(*snapshot, "beta"), *snapshot, serving({"test.record", "test.nothing"}));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason, Reason::unknown_category);

  refusal = check_hello(org(*snapshot, "gamma"), *snapshot, serving({"test.record"}));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason, Reason::not_category_owner);
  EXPECT_EQ(refusal->message, "category 'test.record' belongs to 'beta', not to 'gamma'");
}

TEST(ConnectorAdmission, SubscribingNeedsTheSubscriberRoleAndAKnownCategory) {
  const auto snapshot = load();
  EXPECT_EQ(check_hello(org(*snapshot, "epsilon"), *snapshot, subscribing("test.record")), std::nullopt);

  auto refusal = check_hello(org(*snapshot, "beta"), *snapshot, subscribing("test.record"));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason, Reason::no_rule);
  EXPECT_EQ(refusal->message, "'beta' does not have the subscriber role");

  refusal = check_hello(org(*snapshot, "epsilon"), *snapshot, subscribing("test.nothing"));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason, Reason::unknown_category);
}

TEST(ConnectorAdmission, SubscriptionRowsNameTheOrganisationEachCategoryAndPurpose) {
  ConnectorHello hello = subscribing("test.record", "eligibility");
  hello.subscribes.push_back({"test.other", "audit"});
  const std::vector<SubscriptionEntry> expected{{"epsilon", "test.record", "eligibility"},
                                                {"epsilon", "test.other", "audit"}};
  EXPECT_EQ(subscription_entries("epsilon", hello), expected);
}

TEST(ConnectorAdmission, AReloadThatTakesARoleAwayWithdrawsWhatItAllowed) {
  const auto before = load();
  const std::vector<std::string> serves{"test.record"};
  EXPECT_EQ(withdrawn_role(org(*before, "beta"), *before, serves, false), "");
  EXPECT_EQ(withdrawn_role(org(*before, "epsilon"), *before, {}, true), "");

  // beta only publishes now (its rules still compile); epsilon no longer subscribes.
  std::string demoted = kOrganisations;
  demoted.replace(demoted.find("roles: [provider]}"), 18, "roles: [publisher]}");
  demoted.replace(demoted.find("roles: [subscriber]}"), 20, "roles: [consumer]}");
  const auto after = load(demoted);
  ASSERT_TRUE(after);
  EXPECT_EQ(withdrawn_role(org(*after, "beta"), *after, serves, false), "role_withdrawn");
  EXPECT_EQ(withdrawn_role(org(*after, "epsilon"), *after, {}, true), "role_withdrawn");
  // What it never asked for cannot be withdrawn.
  EXPECT_EQ(withdrawn_role(org(*after, "epsilon"), *after, {}, false), "");
}

}  // namespace
}  // namespace pse::broker

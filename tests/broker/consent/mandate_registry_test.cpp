// Mandates in the registry, on a real SQLite file and on a real PostgreSQL: a citizen's mandates
// found from either side, and a delegate who consents or revokes for the citizen only within
// a mandate that is in force, theirs, the citizen's, and wide enough.
#include "consent_fixture.hpp"

#include "broker/consent/receipt.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::consent {
namespace {

using ::testing::HasSubstr;

class MandateRegistryTest : public ConsentRegistryTest {
 protected:
  // QC-0001 mandates QC-AIDANT for birth records and pension eligibility, for 30 days.
  Mandate mandate(const std::string& mandator = "QC-0001", const std::string& mandatary = "QC-AIDANT",
                  std::optional<Instant> valid_from = std::nullopt) {
    MandateRequest request{mandator, mandatary, {"identity.birth"}, {"pension.eligibility"}, valid_from,
                           now_ + std::chrono::days(30)};
    auto granted = registry_->grant_mandate(request, "services-quebec", now_);
    EXPECT_TRUE(granted) << granted.error().message;
    return granted ? granted->mandate : Mandate{};
  }

  static GrantRequest by_delegate(const Mandate& m, const std::string& mandatary = "QC-AIDANT") {
    GrantRequest request = birth_for_pension();
    request.given_by = {GiverKind::mandatary, m.id, {}};
    request.mandatary_id = mandatary;
    return request;
  }

  // The refusal of `request`, which must be mandate_invalid with `message` in its text.
  void expect_refused(const GrantRequest& request, const std::string& message, Instant when) {
    auto refused = registry_->grant(request, "services-quebec", when);
    ASSERT_FALSE(refused) << message;
    EXPECT_EQ(refused.error().reason, Reason::mandate_invalid) << refused.error().message;
    EXPECT_THAT(refused.error().message, HasSubstr(message));
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, MandateRegistryTest, testing::kEachBackend, testing::backend_name);

TEST_P(MandateRegistryTest, ASubjectsMandatesAreFoundFromEitherSide) {
  const Mandate given = mandate("QC-0001", "QC-AIDANT");
  const Mandate received = mandate("QC-PARENT", "QC-0001");
  mandate("QC-0002", "QC-AIDANT");  // neither QC-0001's to give nor to receive
  ASSERT_TRUE(registry_->revoke_mandate(received.id, "QC-PARENT", "in-person", "services-quebec",
                                        now_ + std::chrono::hours(1)));

  open();  // read back from the store, as after a restart
  auto found = registry_->mandates_of("QC-0001");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 2u);
  const SubjectHash subject = subject_key_.hash("QC-0001");
  for (const Mandate& m : *found) {
    ASSERT_TRUE(m.granted_at.has_value()) << m.id;
    EXPECT_EQ(*m.granted_at, now_);
    if (m.id == given.id) {
      EXPECT_EQ(m.mandator, subject);
      EXPECT_EQ(m.state_at(now_ + std::chrono::hours(2)), MandateState::active);
    } else {
      EXPECT_EQ(m.id, received.id);
      EXPECT_EQ(m.mandatary, subject);
      EXPECT_EQ(m.state_at(now_ + std::chrono::hours(2)), MandateState::revoked);
      EXPECT_EQ(m.revocation_method, "in-person");
    }
  }
  EXPECT_EQ(registry_->mandates_of("QC-AIDANT")->size(), 2u);
  EXPECT_TRUE(registry_->mandates_of("QC-NOBODY")->empty());
}

TEST_P(MandateRegistryTest, AMandatesStateIsDecidedAtReadTime) {
  const Mandate m = mandate("QC-0001", "QC-AIDANT", now_ + std::chrono::days(1));
  EXPECT_EQ(m.state_at(now_), MandateState::pending);
  EXPECT_EQ(m.state_at(now_ + std::chrono::days(2)), MandateState::active);
  EXPECT_EQ(m.state_at(now_ + std::chrono::days(30)), MandateState::expired);
  EXPECT_EQ(to_string(MandateState::active), "active");
}

TEST_P(MandateRegistryTest, ADelegateConsentsOnlyWithinTheirMandate) {
  const Mandate m = mandate();
  expect_refused(by_delegate(m, "QC-SOMEONE-ELSE"), "was not given to this mandatary", now_);
  GrantRequest other_category = by_delegate(m);
  other_category.categories = {"identity.birth", "identity.address"};
  expect_refused(other_category, "does not cover the category 'identity.address'", now_);
  GrantRequest other_purpose = by_delegate(m);
  other_purpose.purpose.code = "pension.survivor";
  expect_refused(other_purpose, "does not cover the purpose 'pension.survivor'", now_);
  GrantRequest other_subject = by_delegate(m);
  other_subject.subject_id = "QC-0002";
  expect_refused(other_subject, "is unknown or was not given by this subject", now_);
  GrantRequest unknown = by_delegate(m);
  unknown.given_by.mandate_id = "mdt_00000000000000000000000000000000";
  expect_refused(unknown, "is unknown or was not given by this subject", now_);
  expect_refused(by_delegate(m), "expired on", now_ + std::chrono::days(30));
  const Mandate later = mandate("QC-0001", "QC-AIDANT", now_ + std::chrono::days(1));
  expect_refused(by_delegate(later), "is not in force before", now_);

  // A delegate who is not named at all is a malformed request, not a refused one.
  GrantRequest unnamed = by_delegate(m, "");
  EXPECT_EQ(registry_->grant(unnamed, "services-quebec", now_).error().reason, Reason::malformed_request);
  EXPECT_EQ(registry_->indexed_consents(), 0u);

  auto granted = registry_->grant(by_delegate(m), "services-quebec", now_);
  ASSERT_TRUE(granted) << granted.error().message;
  EXPECT_EQ(granted->consent.given_by.mandate_id, m.id);
  EXPECT_TRUE(check("QC-0001", "pension.eligibility", now_).allowed());

  ASSERT_TRUE(registry_->revoke_mandate(m.id, "QC-0001", "in-person", "services-quebec", now_ + std::chrono::hours(1)));
  expect_refused(by_delegate(m), "was revoked on", now_ + std::chrono::hours(2));
}

TEST_P(MandateRegistryTest, ADelegateRevokesOnlyWithinTheirMandateAndTheRevocationSaysSo) {
  const Mandate m = mandate();
  auto granted = registry_->grant(birth_for_pension(), "services-quebec", now_);  // the citizen's own
  ASSERT_TRUE(granted) << granted.error().message;
  const std::string id = granted->consent.id;
  const Instant later = now_ + std::chrono::hours(1);
  auto revoke = [&](const MandataryAct& act, Instant when = {}) {
    return registry_->revoke(id, "QC-0001", "web-form", "services-quebec", when == Instant{} ? later : when, act);
  };
  auto expect_refused = [&](const MandataryAct& act, const std::string& message, Instant when = {}) {
    auto refused = revoke(act, when);
    ASSERT_FALSE(refused) << message;
    EXPECT_EQ(refused.error().reason, Reason::mandate_invalid) << refused.error().message;
    EXPECT_THAT(refused.error().message, HasSubstr(message));
  };
  expect_refused({m.id, "QC-SOMEONE-ELSE"}, "was not given to this mandatary");
  const Mandate another_citizens = mandate("QC-0002", "QC-AIDANT");
  expect_refused({another_citizens.id, "QC-AIDANT"}, "is unknown or was not given by this subject");
  expect_refused({m.id, "QC-AIDANT"}, "expired on", now_ + std::chrono::days(31));

  // A consent wider than the mandate: the delegate may not take it back either.
  GrantRequest wider = birth_for_pension();
  wider.categories = {"identity.birth", "identity.address"};
  ASSERT_TRUE(registry_->amend(id, wider, "services-quebec", now_ + std::chrono::minutes(1)));
  const std::string wider_id = registry_->consents_of("QC-0001")->back().id;
  auto out_of_scope = registry_->revoke(wider_id, "QC-0001", "web-form", "services-quebec", later, MandataryAct{m.id, "QC-AIDANT"});
  ASSERT_FALSE(out_of_scope);
  EXPECT_EQ(out_of_scope.error().reason, Reason::mandate_invalid);
  EXPECT_THAT(out_of_scope.error().message, HasSubstr("does not cover the category 'identity.address'"));
  EXPECT_TRUE(check("QC-0001", "pension.eligibility", later).allowed());

  // Within it, the revocation holds and names the mandate, in the record and in the receipt.
  GrantRequest narrow = birth_for_pension();
  ASSERT_TRUE(registry_->amend(wider_id, narrow, "services-quebec", now_ + std::chrono::minutes(2)));
  const std::string narrow_id = registry_->consents_of("QC-0001")->back().id;
  auto revoked = registry_->revoke(narrow_id, "QC-0001", "web-form", "services-quebec", later, MandataryAct{m.id, "QC-AIDANT"});
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->consent.revoked_through, m.id);
  EXPECT_EQ(check("QC-0001", "pension.eligibility", later).denial, Reason::consent_revoked);
  auto payload = verify_receipt(revoked->receipt, signing_key_.public_key());
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(boost::json::parse(*payload).at("pse").at("revoked_by"),
            (boost::json::object{{"kind", "mandatary"}, {"mandate_id", m.id}}));
  open();
  EXPECT_EQ(registry_->consent(narrow_id)->revoked_through, m.id);

  // A revoked mandate carries no authority; the citizen's own revocation names none.
  ASSERT_TRUE(registry_->revoke_mandate(m.id, "QC-0001", "in-person", "services-quebec", later));
  auto again = registry_->grant(birth_for_pension(), "services-quebec", later);
  ASSERT_TRUE(again);
  auto refused = registry_->revoke(again->consent.id, "QC-0001", "web-form", "services-quebec", later + std::chrono::seconds(1),
                                   MandataryAct{m.id, "QC-AIDANT"});
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("was revoked on"));
  auto own = registry_->revoke(again->consent.id, "QC-0001", "web-form", "services-quebec", later);
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_TRUE(own->consent.revoked_through.empty());
  EXPECT_TRUE(registry_->consent(again->consent.id)->revoked_through.empty());
}

}  // namespace
}  // namespace pse::consent

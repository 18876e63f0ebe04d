// The in-memory index alone: every reason code and the order in which they are reported.
#include "broker/consent/consent_index.hpp"

#include "consent_fixture.hpp"

#include <gtest/gtest.h>

namespace pse::consent {
namespace {

SubjectHash subject(std::uint8_t n) {
  SubjectHash hash{};
  hash.fill(n);
  return hash;
}

Consent make_consent(std::uint8_t who, std::string purpose = "pension.eligibility") {
  Consent c;
  c.id = new_record_id("cns_");
  c.subject = subject(who);
  c.provider = "etat-civil";
  c.consumer = "retraite-quebec";
  c.categories = {"identity.birth", "identity.address"};
  c.purpose.code = std::move(purpose);
  c.granted_at = at("2026-01-01");
  c.expires_at = at("2027-01-01");
  return c;
}

ConsentCheck query(const ConsentIndex& index, std::uint8_t who, Instant when, std::string_view purpose = "pension.eligibility",
                   std::string_view category = "identity.birth", std::string_view provider = "etat-civil",
                   std::string_view consumer = "retraite-quebec") {
  return index.check(ConsentQuery{subject(who), consumer, provider, category, purpose, when});
}

TEST(ConsentIndex, AllowsAMatchingConsentAndNamesIt) {
  ConsentIndex index;
  Consent consent = make_consent(1);
  index.put(consent);
  ConsentCheck result = query(index, 1, at("2026-06-01"));
  EXPECT_TRUE(result.allowed());
  EXPECT_EQ(result.consent_id, consent.id);
  EXPECT_TRUE(query(index, 1, at("2026-06-01"), "pension.eligibility", "identity.address").allowed());
}

TEST(ConsentIndex, MissingForOtherSubjectsConsumersCategoriesAndProviders) {
  ConsentIndex index;
  index.put(make_consent(1));
  EXPECT_EQ(query(index, 2, at("2026-06-01")).denial, Reason::consent_missing);
  EXPECT_EQ(query(index, 1, at("2026-06-01"), "pension.eligibility", "health.insurance_coverage").denial,
            Reason::consent_missing);
  EXPECT_EQ(query(index, 1, at("2026-06-01"), "pension.eligibility", "identity.birth", "ramq").denial,
            Reason::consent_missing);
  EXPECT_EQ(query(index, 1, at("2026-06-01"), "pension.eligibility", "identity.birth", "etat-civil", "saaq").denial,
            Reason::consent_missing);
  EXPECT_EQ(query(index, 1, at("2025-06-01")).denial, Reason::consent_missing);  // before granted_at
}

TEST(ConsentIndex, AnotherPurposeIsPurposeNotConsented) {
  ConsentIndex index;
  index.put(make_consent(1));
  EXPECT_EQ(query(index, 1, at("2026-06-01"), "marketing").denial, Reason::purpose_not_consented);
}

TEST(ConsentIndex, ExpiryIsExactToTheSecond) {
  ConsentIndex index;
  Consent consent = make_consent(1);
  index.put(consent);
  EXPECT_TRUE(query(index, 1, consent.expires_at - std::chrono::seconds(1)).allowed());
  EXPECT_EQ(query(index, 1, consent.expires_at).denial, Reason::consent_expired);
}

TEST(ConsentIndex, RevocationTakesEffectAtItsInstant) {
  ConsentIndex index;
  Consent consent = make_consent(1);
  consent.revoked_at = at("2026-06-01T12:00:00Z");
  index.put(consent);
  EXPECT_TRUE(query(index, 1, at("2026-06-01T11:59:59Z")).allowed());
  EXPECT_EQ(query(index, 1, at("2026-06-01T12:00:00Z")).denial, Reason::consent_revoked);
}

TEST(ConsentIndex, AnyProviderMatchesEveryProvider) {
  ConsentIndex index;
  Consent consent = make_consent(1);
  consent.provider = std::string(kAnyProvider);
  index.put(consent);
  EXPECT_TRUE(query(index, 1, at("2026-06-01"), "pension.eligibility", "identity.birth", "ramq").allowed());
}

TEST(ConsentIndex, OneValidConsentWinsOverRevokedOnes) {
  ConsentIndex index;
  Consent revoked = make_consent(1);
  revoked.revoked_at = at("2026-02-01");
  index.put(revoked);
  EXPECT_EQ(query(index, 1, at("2026-06-01")).denial, Reason::consent_revoked);
  Consent fresh = make_consent(1);
  index.put(fresh);
  EXPECT_EQ(query(index, 1, at("2026-06-01")).consent_id, fresh.id);
}

TEST(ConsentIndex, TheMostSpecificDenialIsReported) {
  ConsentIndex index;
  index.put(make_consent(1, "other.purpose"));
  Consent expired = make_consent(1);
  expired.expires_at = at("2026-03-01");
  index.put(expired);
  EXPECT_EQ(query(index, 1, at("2026-06-01")).denial, Reason::consent_expired);
  Consent revoked = make_consent(1);
  revoked.revoked_at = at("2026-02-01");
  index.put(revoked);
  EXPECT_EQ(query(index, 1, at("2026-06-01")).denial, Reason::consent_revoked);
}

TEST(ConsentIndex, MandataryConsentFollowsTheMandate) {
  ConsentIndex index;
  Mandate mandate;
  mandate.id = new_record_id("mdt_");
  mandate.categories = {"identity.birth"};
  mandate.purposes = {"pension.eligibility"};
  mandate.valid_from = at("2026-01-01");
  mandate.valid_until = at("2026-09-01");
  index.put_mandate(mandate);

  Consent consent = make_consent(1);
  consent.given_by = {GiverKind::mandatary, mandate.id, {}};
  index.put(consent);
  EXPECT_TRUE(query(index, 1, at("2026-06-01")).allowed());
  // Outside the mandate's scope (address) or after it ends, the consent does not hold.
  EXPECT_EQ(query(index, 1, at("2026-06-01"), "pension.eligibility", "identity.address").denial, Reason::mandate_invalid);
  EXPECT_EQ(query(index, 1, at("2026-10-01")).denial, Reason::mandate_invalid);

  mandate.revoked_at = at("2026-05-01");
  index.put_mandate(mandate);
  EXPECT_EQ(query(index, 1, at("2026-06-01")).denial, Reason::mandate_invalid);

  Consent orphan = make_consent(2);
  orphan.given_by = {GiverKind::mandatary, "mdt_00000000000000000000000000000000", {}};
  index.put(orphan);
  EXPECT_EQ(query(index, 2, at("2026-06-01")).denial, Reason::mandate_invalid);
}

TEST(ConsentIndex, RemoveAndReplace) {
  ConsentIndex index;
  Consent consent = make_consent(1);
  index.put(consent);
  index.put(consent);  // same id: replaced, not duplicated
  EXPECT_EQ(index.size(), 1u);
  index.remove(consent.subject, consent.id);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(query(index, 1, at("2026-06-01")).denial, Reason::consent_missing);
}

}  // namespace
}  // namespace pse::consent

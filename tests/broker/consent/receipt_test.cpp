// Consent receipts: signed, verifiable offline, and any change breaks them.
#include "broker/consent/receipt.hpp"

#include "consent_fixture.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::consent {
namespace {

using ::testing::HasSubstr;

// Receipts do not depend on the store: the embedded one.
class Receipts : public ConsentRegistryFixture, public ::testing::Test {
 protected:
  Receipts() : ConsentRegistryFixture(testing::Backend::sqlite) {}
};

TEST_F(Receipts, GrantReceiptVerifiesAndCarriesTheKantaraFields) {
  auto granted = registry_->grant(birth_for_pension(), "services-quebec", now_);
  ASSERT_TRUE(granted);
  auto payload = verify_receipt(granted->receipt, registry_->receipt_public_key());
  ASSERT_TRUE(payload.has_value());
  const auto receipt = boost::json::parse(*payload).as_object();
  EXPECT_EQ(receipt.at("version"), "KI-CR-v1.1.0");
  EXPECT_EQ(receipt.at("jurisdiction"), "CA-QC");
  EXPECT_EQ(receipt.at("piiPrincipalId"), "QC-0001");
  EXPECT_EQ(receipt.at("collectionMethod"), "web-form");
  EXPECT_EQ(receipt.at("language"), "fr");
  const auto& purpose = receipt.at("services").as_array()[0].at("purposes").as_array()[0].as_object();
  EXPECT_EQ(purpose.at("purpose"), "Vérifier l'admissibilité à la rente");
  EXPECT_EQ(purpose.at("termination"), "2027-06-01T00:00:00Z");
  EXPECT_EQ(std::string(receipt.at("pse").at("consent_id").as_string()), granted->consent.id);
  EXPECT_EQ(receipt.at("pse").at("event"), "granted");
}

TEST_F(Receipts, RevocationGetsItsOwnReceipt) {
  auto granted = registry_->grant(birth_for_pension(), "services-quebec", now_);
  auto revoked = registry_->revoke(granted->consent.id, "QC-0001", "phone", "services-quebec", now_);
  ASSERT_TRUE(revoked);
  auto payload = verify_receipt(revoked->receipt, registry_->receipt_public_key());
  ASSERT_TRUE(payload.has_value());
  EXPECT_THAT(*payload, HasSubstr(R"("event":"revoked")"));
  EXPECT_THAT(*payload, HasSubstr(R"("state":"revoked")"));
}

TEST_F(Receipts, AnyAlterationFailsVerification) {
  auto granted = registry_->grant(birth_for_pension(), "services-quebec", now_);
  const std::string jws = granted->receipt;
  ASSERT_TRUE(verify_receipt(jws, registry_->receipt_public_key()));

  // Change one character in each of the three parts in turn.
  const auto first_dot = jws.find('.');
  const auto second_dot = jws.find('.', first_dot + 1);
  for (std::size_t position : {std::size_t{2}, first_dot + 5, second_dot + 5}) {
    std::string altered = jws;
    altered[position] = altered[position] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_receipt(altered, registry_->receipt_public_key())) << "position " << position;
  }
  // Another key, truncation, garbage.
  EXPECT_FALSE(verify_receipt(jws, audit::SigningKey::generate().public_key()));
  EXPECT_FALSE(verify_receipt(jws.substr(0, jws.size() - 4), registry_->receipt_public_key()));
  EXPECT_FALSE(verify_receipt("not.a.receipt", registry_->receipt_public_key()));
  EXPECT_FALSE(verify_receipt("", registry_->receipt_public_key()));
}

}  // namespace
}  // namespace pse::consent

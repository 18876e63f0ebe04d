// List fields (a legacy record's repeating group) through a real broker, with the SDK on both
// sides: Revenu Québec receives Retraite Québec's benefit payments with the survivors' given
// names and relationships but never their birth dates (rule revenu-quebec-benefits), proves
// the sub-fields it received with Retraite Québec's signature, and is told what it was refused.
#include "broker_fixture.hpp"
// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include "delivery_inbox.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;

constexpr const char* kBirthDateCanary = "1961-07-13";

json::object benefits() {
  return json::parse(R"({"benefit_type": "survivor", "monthly_amount": "812.40", "payment_start": "2024-02-01",
                         "bank_account": "000-12345-678",
                         "survivors": [{"given_names": "Léa", "relationship": "spouse", "birth_date": "1961-07-13"},
                                       {"given_names": "Jules", "relationship": "child", "birth_date": "2009-03-02"}]})")
      .as_object();
}

class ListFields : public BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    revenu_quebec_ = pki_->issue_org("revenu-quebec");
    retraite_quebec_ = pki_->issue_org("retraite-quebec");
  }

  std::unique_ptr<Provider> start_retraite_quebec(json::object record = benefits()) {
    auto provider = std::make_unique<Provider>(sdk_options(retraite_quebec_));
    provider->serve({"pension.benefit_payments"},
                    [record](const ProviderRequest&) -> Result<json::object> { return record; });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  ClientOptions revenu_quebec_options() const {
    ClientOptions options = sdk_options(revenu_quebec_);
    options.signing_keys_dir = dir_->path() / "keys" / "signing";  // proves what it receives
    return options;
  }

  static ExchangeRequest benefits_of(std::vector<std::string> fields) {
    ExchangeRequest request;
    request.subject = "QC-1958-0311";
    request.provider = "retraite-quebec";
    request.category = "pension.benefit_payments";
    request.purpose = "tax_assessment";
    request.fields = std::move(fields);
    return request;
  }

  static ClientIdentity revenu_quebec_;
  static ClientIdentity retraite_quebec_;
};

ClientIdentity ListFields::revenu_quebec_;
ClientIdentity ListFields::retraite_quebec_;

TEST_F(ListFields, EachItemKeepsThePermittedSubFieldsWithTheirProof) {
  ::testing::internal::CaptureStderr();  // the broker's log
  start_broker();
  auto provider = start_retraite_quebec();
  Client revenu_quebec(revenu_quebec_options());
  // The list asked for by its name: each of its sub-fields is decided on its own.
  auto response = revenu_quebec.exchange(benefits_of({"monthly_amount", "survivors"}));
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(response) << response.error().message;

  EXPECT_EQ(json::serialize(response->record),
            R"({"monthly_amount":"812.40","survivors":[{"given_names":"Léa","relationship":"spouse"},)"
            R"({"given_names":"Jules","relationship":"child"}]})");
  ASSERT_EQ(response->refused_fields.size(), 1u);
  EXPECT_EQ(response->refused_fields[0].name, "survivors.birth_date");
  EXPECT_EQ(response->refused_fields[0].reason, Reason::field_not_permitted);
  ASSERT_TRUE(response->proof.has_value());
  for (const char* column : {"monthly_amount", "survivors", "survivors.given_names", "survivors.relationship"}) {
    EXPECT_TRUE(response->proof->disclosures.contains(column)) << column;
  }
  EXPECT_FALSE(response->proof->disclosures.contains("survivors.birth_date"));
  EXPECT_THAT(log, Not(HasSubstr(kBirthDateCanary)));

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].decision, audit::Decision::allow);
  EXPECT_EQ(entries[0].permitted_fields,
            (std::vector<std::string>{"monthly_amount", "survivors.given_names", "survivors.relationship"}));
}

TEST_F(ListFields, AnAbsentListIsRefusedAsNotProvided) {
  start_broker();
  json::object without = benefits();
  without.erase("survivors");
  auto provider = start_retraite_quebec(without);
  auto response = Client(revenu_quebec_options()).exchange(benefits_of({"benefit_type", "survivors.given_names"}));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(json::serialize(response->record), R"({"benefit_type":"survivor"})");
  ASSERT_EQ(response->refused_fields.size(), 1u);
  EXPECT_EQ(response->refused_fields[0].name, "survivors.given_names");
  EXPECT_EQ(response->refused_fields[0].reason, Reason::field_not_provided);
}

TEST_F(ListFields, AListWhoseItemsAreNotFlatIsAProviderError) {
  start_broker();
  json::object nested = benefits();
  nested["survivors"].as_array()[0].as_object()["given_names"] = json::array{"Léa", "Marie"};
  auto provider = start_retraite_quebec(nested);
  auto response = Client(revenu_quebec_options()).exchange(benefits_of({"survivors.given_names"}));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().reason, Reason::provider_error);
  EXPECT_THAT(response.error().message, HasSubstr("'survivors.given_names' is not a string"));
}

TEST_F(ListFields, APublishedListReachesTheSubscriberKeptToItsSubFields) {
  start_broker();
  Inbox inbox;
  auto subscriber = std::make_unique<Provider>(revenu_quebec_options());
  subscriber->subscribe({{"pension.benefit_payments", "tax_assessment"}},
                        [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
  ASSERT_TRUE(subscriber->start());
  ASSERT_TRUE(subscriber->wait_ready(std::chrono::seconds(10)));
  PublishRequest event;
  event.category = "pension.benefit_payments";
  event.subject = "QC-1958-0311";
  event.idempotency_key = "benefits-2026-12";
  event.record = benefits();
  auto published = Client(sdk_options(retraite_quebec_)).publish(event);
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_TRUE(inbox.wait_for(1));
  const auto delivered = inbox.received();
  EXPECT_EQ(json::serialize(delivered[0].record.at("survivors")),
            R"([{"given_names":"Léa","relationship":"spouse"},{"given_names":"Jules","relationship":"child"}])");
  EXPECT_TRUE(delivered[0].proof.has_value());
}

}  // namespace
}  // namespace pse::testing

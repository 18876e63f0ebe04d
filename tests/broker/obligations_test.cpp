// A rule's obligation no_onward_disclosure through a real broker, SDK on both sides: it reaches
// the consumer with the record (exchange answer and delivery), is kept in the audit entry, and
// the citizen's register says it in words — pse-audit report, and the consent authority's view.
#include "broker_fixture.hpp"
#include "pse_audit_runner.hpp"

// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <future>
#include <memory>
#include <mutex>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

const std::vector<std::string> kNoOnward = {"no_onward_disclosure"};
constexpr const char* kFrench = "L’organisme ne peut communiquer ces renseignements à personne d’autre.";
constexpr const char* kEnglish = "The body may not pass this information on.";

class Obligations : public BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    if (retraite_quebec_.cert.empty()) retraite_quebec_ = pki_->issue_org("retraite-quebec");
  }

  // État civil's acts of death, as its connector would read them (signed: the category requires it).
  std::unique_ptr<Provider> start_etat_civil() {
    auto provider = std::make_unique<Provider>(sdk_options(etat_civil_));
    provider->serve({"identity.death"}, [](const ProviderRequest&) -> Result<json::object> {
      return json::object{{"surname", "Tremblay"},      {"given_names", "Jeanne"},   {"birth_date", "1931-05-02"},
                          {"death_date", "2026-11-20"}, {"death_place", "Québec"}, {"cause_of_death", "confidential"}};
    });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  std::string pse_audit(const std::string& arguments) const {
    return run_pse_audit_on(arguments, data_dir_, postgres_, dir_->path() / "keys", dir_->path());
  }

  static ClientIdentity retraite_quebec_;
};

ClientIdentity Obligations::retraite_quebec_;

TEST_F(Obligations, NoOnwardDisclosureReachesTheConsumerTheAuditEntryAndTheCitizensRegister) {
  start_broker();
  auto provider = start_etat_civil();
  Client retraite_quebec(sdk_options(retraite_quebec_));
  ExchangeRequest request;
  request.subject = "QC-1931-0007";
  request.provider = "etat-civil";
  request.category = "identity.death";
  request.purpose = "pension_termination";
  auto response = retraite_quebec.exchange(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->rule_id, "retraite-quebec-death-notice");
  EXPECT_EQ(response->obligations, kNoOnward);

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].decision, audit::Decision::allow);
  EXPECT_EQ(entries[0].obligations, kNoOnward);

  const std::string french = pse_audit("report --subject QC-1931-0007");
  EXPECT_THAT(french, HasSubstr("Destinataire : retraite-quebec"));
  EXPECT_THAT(french, HasSubstr(std::string("   Conditions : ") + kFrench + "\n"));
  EXPECT_THAT(pse_audit("report --subject QC-1931-0007 --lang en"), HasSubstr(std::string("   Conditions: ") + kEnglish));
  EXPECT_THAT(pse_audit("query --json"), HasSubstr(R"("obligations":["no_onward_disclosure"])"));
  EXPECT_THAT(pse_audit("verify"), HasSubstr("intact"));

  const HttpResult accesses = get(services_quebec_, "/v1/subjects/QC-1931-0007/accesses");
  ASSERT_EQ(accesses.status, 200) << accesses.body;
  const auto communication = json::parse(accesses.body).at("accesses").as_array().at(0);
  EXPECT_EQ(communication.at("obligations"),
            (json::array{json::object{{"code", "no_onward_disclosure"}, {"fr", kFrench}, {"en", kEnglish}}}));
}

TEST_F(Obligations, ADeliveryCarriesTheObligationsOfTheSubscribersRule) {
  start_broker();
  // Each subscriber's first delivery (one event is published).
  auto subscribe = [this](const ClientIdentity& who, const std::string& purpose, std::promise<Delivery>& first) {
    auto subscriber = std::make_unique<Provider>(sdk_options(who));
    auto taken = std::make_shared<std::once_flag>();
    subscriber->subscribe({{"identity.death", purpose}}, [&first, taken](const Delivery& delivery) -> Status {
      std::call_once(*taken, [&] { first.set_value(delivery); });
      return Done{};
    });
    EXPECT_TRUE(subscriber->start());
    EXPECT_TRUE(subscriber->wait_ready(std::chrono::seconds(10)));
    return subscriber;
  };
  std::promise<Delivery> to_retraite, to_ramq;
  auto retraite = subscribe(retraite_quebec_, "pension_termination", to_retraite);
  auto ramq = subscribe(ramq_, "health_insurance_termination", to_ramq);

  Client etat_civil(sdk_options(etat_civil_));
  PublishRequest death;
  death.category = "identity.death";
  death.subject = "QC-1931-0007";
  death.idempotency_key = "deces-2026-000001";
  death.record = json::object{{"surname", "Tremblay"}, {"given_names", "Jeanne"}, {"birth_date", "1931-05-02"},
                              {"death_date", "2026-11-20"}};
  auto published = etat_civil.publish(death);
  ASSERT_TRUE(published) << published.error().message;
  auto retraite_got = to_retraite.get_future();
  auto ramq_got = to_ramq.get_future();
  ASSERT_EQ(retraite_got.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  ASSERT_EQ(ramq_got.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(retraite_got.get().obligations, kNoOnward);
  EXPECT_TRUE(ramq_got.get().obligations.empty()) << "ramq-death-notice sets none";

  for (const auto& entry : audit_entries()) {
    EXPECT_EQ(entry.obligations, entry.consumer == "retraite-quebec" ? kNoOnward : std::vector<std::string>{})
        << entry.consumer;
  }
}

}  // namespace
}  // namespace pse::testing

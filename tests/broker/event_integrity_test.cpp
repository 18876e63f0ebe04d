// Signed events through a real broker: État civil publishes a death (identity.death, rated
// integrity élevé) signed field by field with its SDK; RAMQ and Retraite Québec, whose rules
// give them different fields, each prove the fields they received and receive the proof of no
// other. An unsigned or altered publish is refused integrity_failed, and a delivery whose
// signature does not verify never reaches the subscriber's handler.
#include "broker_fixture.hpp"
#include "delivery_inbox.hpp"

#include <pse/client.hpp>
#include <pse/provider.hpp>
#include <pse/record_proof.hpp>

#include "base/base64.hpp"
#include "support/signing_keys.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <sodium.h>

#include <fstream>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kCanary = "CANARY-cause-4f0e";

json::object death_record() {
  return json::object{{"surname", "Tremblay"},   {"given_names", "Jeanne"},    {"birth_date", "1931-05-02"},
                      {"death_date", "2026-11-20"}, {"death_place", "Québec"}, {"cause_of_death", kCanary}};
}

PublishRequest death(const std::string& key) {
  PublishRequest request;
  request.category = "identity.death";
  request.subject = "QC-1931-0007";
  request.idempotency_key = key;
  request.record = death_record();
  return request;
}

class EventIntegrity : public BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    if (retraite_.cert.empty()) retraite_ = pki_->issue_org("retraite-quebec");
  }

  // A subscriber that keeps the platform's signing keys, so that its SDK verifies each event.
  std::unique_ptr<Provider> subscribe(const ClientIdentity& who, Subscription subscription, Inbox& inbox,
                                      fs::path keys = dir_->path() / "keys" / "signing") {
    ClientOptions options = sdk_options(who);
    options.signing_keys_dir = std::move(keys);
    auto subscriber = std::make_unique<Provider>(options);
    subscriber->subscribe({std::move(subscription)}, [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
    EXPECT_TRUE(subscriber->start());
    EXPECT_TRUE(subscriber->wait_ready(10s));
    return subscriber;
  }

  // A publish body signed with the test seed, then changed by `alter`.
  static std::string signed_body(const std::string& key, const std::function<void(json::object&)>& alter = {}) {
    const auto signature = integrity::sign_record(
        death_record(), {"", "QC-1931-0007", "identity.death", event_id_for("etat-civil", key), 0}, test_signing_seed());
    json::array disclosures;
    for (const auto& disclosure : signature.disclosures) disclosures.emplace_back(disclosure);
    json::object body{{"category", "identity.death"}, {"subject", "QC-1931-0007"}, {"idempotency_key", key},
                      {"record", death_record()},
                      {"integrity", json::object{{"jws", signature.jws}, {"disclosures", std::move(disclosures)}}}};
    if (alter) alter(body);
    return json::serialize(body);
  }

  static ClientIdentity retraite_;
};

ClientIdentity EventIntegrity::retraite_;

TEST_F(EventIntegrity, EachSubscriberProvesItsOwnFieldsOfOneSignature) {
  start_broker();
  Inbox ramq_inbox, retraite_inbox;
  auto ramq = subscribe(ramq_, {"identity.death", "health_insurance_termination"}, ramq_inbox);
  auto retraite = subscribe(retraite_, {"identity.death", "pension_termination"}, retraite_inbox);

  Client etat_civil(sdk_options(etat_civil_));  // signs with the test seed (sdk_options)
  auto published = etat_civil.publish(death("deces-1"));
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_TRUE(ramq_inbox.wait_for(1));
  ASSERT_TRUE(retraite_inbox.wait_for(1));

  const Delivery to_ramq = ramq_inbox.received().front();
  const Delivery to_retraite = retraite_inbox.received().front();
  EXPECT_EQ(to_ramq.signature.jws, to_retraite.signature.jws);  // one signature for all
  ASSERT_TRUE(to_ramq.proof.has_value());
  ASSERT_TRUE(to_retraite.proof.has_value());
  EXPECT_EQ(to_ramq.record.size(), 5u);      // ramq-death-notice: five fields
  EXPECT_EQ(to_retraite.record.size(), 4u);  // retraite-quebec-death-notice: four
  EXPECT_EQ(to_ramq.proof->disclosures.size(), 5u);
  EXPECT_EQ(to_retraite.proof->disclosures.size(), 4u);
  EXPECT_EQ(to_retraite.signature.disclosures.size(), 4u);  // no proof of a field it may not see
  EXPECT_EQ(to_retraite.proof->claims.request_id, published->event_id);
  for (const auto& disclosure : to_ramq.signature.disclosures) {
    EXPECT_THAT(disclosure, Not(HasSubstr(to_base64(std::string_view(kCanary), Base64::url))));
  }
}

TEST_F(EventIntegrity, AnUnsignedEventIsRefused) {
  start_broker();
  const HttpResult result = post(etat_civil_, "/v1/publish", signed_body("deces-2", [](json::object& body) {
                                   body.erase("integrity");
                                 }));
  EXPECT_EQ(result.status, 502) << result.body;
  EXPECT_THAT(result.body, HasSubstr("integrity_failed"));
  EXPECT_THAT(result.body, HasSubstr("did not sign"));
}

TEST_F(EventIntegrity, AnAlteredEventIsRefused) {
  start_broker();
  const HttpResult altered = post(etat_civil_, "/v1/publish", signed_body("deces-3", [](json::object& body) {
                                    body["record"].as_object()["death_date"] = "2026-11-21";
                                  }));
  EXPECT_EQ(altered.status, 502) << altered.body;
  EXPECT_THAT(altered.body, HasSubstr("'death_date' differs from its signed value"));

  // The same signature under another idempotency key names another event.
  const HttpResult replayed = post(etat_civil_, "/v1/publish", signed_body("deces-3", [](json::object& body) {
                                     body["idempotency_key"] = "deces-4";
                                   }));
  EXPECT_EQ(replayed.status, 502) << replayed.body;
  EXPECT_THAT(replayed.body, HasSubstr("made for another"));

  EXPECT_EQ(post(etat_civil_, "/v1/publish", signed_body("deces-5")).status, 202);
}

TEST_F(EventIntegrity, ADeliveryThatDoesNotVerifyNeverReachesTheHandler) {
  // This subscriber holds another key for État civil than the one the platform registered.
  const fs::path keys = dir_->path() / "other-keys";
  fs::create_directories(keys);
  integrity::Key other{};
  ASSERT_GE(sodium_init(), 0);
  randombytes_buf(other.data(), other.size());
  std::ofstream(keys / "etat-civil.pub")
      << to_base64(std::span<const std::uint8_t>(integrity::public_key_of(other)), Base64::standard) << "\n";
  start_broker();
  Inbox inbox;
  auto ramq = subscribe(ramq_, {"identity.death", "health_insurance_termination"}, inbox, keys);
  ASSERT_EQ(post(etat_civil_, "/v1/publish", signed_body("deces-6")).status, 202);
  EXPECT_FALSE(inbox.wait_for(1, 2s));  // nacked integrity_failed, retried, never handed over
  EXPECT_THAT(metrics_showing("pse_deliveries_nacked_total 1"), ::testing::ContainsRegex("pse_deliveries_nacked_total [1-9]"));
}

}  // namespace
}  // namespace pse::testing

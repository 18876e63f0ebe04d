// End-to-end encryption (the end_to_end_encryption obligation) through a real broker, with the
// SDK on both sides: Revenu Québec receives Retraite Québec's pension contributions by law
// (rule revenu-quebec-pension-contributions), sealed by the provider's SDK for Revenu Québec's
// registered key. A canary value in the record must reach the consumer intact and be nowhere in
// the broker's files or logs.
#include "broker_fixture.hpp"
#include "delivery_inbox.hpp"
// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>
#include <pse/provider.hpp>
#include <pse/pse.h>

#include "base/base64.hpp"
#include "base/sha256.hpp"
#include "support/signing_keys.hpp"
#include "support/test_connector.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <sodium.h>

#include <fstream>
#include <iterator>
#include <mutex>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kCanary = "CANARY-6f1d-NAS-046454286";

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class EndToEndEncryption : public BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    revenu_quebec_ = pki_->issue_org("revenu-quebec");
    retraite_quebec_ = pki_->issue_org("retraite-quebec");
    // Revenu Québec's key pair: the public half registered with the platform, the secret kept
    // by Revenu Québec for its SDK client.
    ASSERT_GE(sodium_init(), 0);
    std::uint8_t public_key[crypto_box_PUBLICKEYBYTES];
    std::uint8_t secret_key[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(public_key, secret_key);
    fs::create_directories(dir_->path() / "keys" / "encryption");
    std::ofstream(registered_key()) << to_base64(std::span<const std::uint8_t>(public_key), Base64::standard) << "\n";
    std::ofstream(secret_key_file()) << to_base64(std::span<const std::uint8_t>(secret_key), Base64::standard) << "\n";
    fs::permissions(secret_key_file(), fs::perms::owner_read | fs::perms::owner_write);
  }

  static fs::path registered_key() { return dir_->path() / "keys" / "encryption" / "revenu-quebec.pub"; }
  static fs::path secret_key_file() { return dir_->path() / "revenu-quebec.enc.key"; }

  // Retraite Québec's connector: the whole row, the canary in the social insurance number, and
  // a field of the category that the rule does not give Revenu Québec.
  std::unique_ptr<Provider> start_retraite_quebec(const fs::path& registry = {}) {
    ClientOptions options = sdk_options(retraite_quebec_);
    options.encryption_keys_dir = registry;
    auto provider = std::make_unique<Provider>(options);
    provider->serve({"pension.contributions"}, [this](const ProviderRequest& request) -> Result<json::object> {
      std::lock_guard lock(mutex_);
      seal_for_seen_ = request.seal_for;
      return json::object{{"contribution_years", 31}, {"total_contributions", 84213.55},
                          {"social_insurance_number", kCanary}, {"earnings_history", "1990:31000;1991:32500"}};
    });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  static ExchangeRequest contributions() {
    ExchangeRequest request;
    request.subject = "QC-1961-0815";
    request.provider = "retraite-quebec";
    request.category = "pension.contributions";
    request.purpose = "tax_assessment";
    return request;
  }

  // Retraite Québec's event: the canary in the social insurance number, and a field the rule
  // does not give Revenu Québec.
  static PublishRequest contributions_event(const std::string& idempotency_key) {
    PublishRequest event;
    event.category = "pension.contributions";
    event.subject = "QC-1961-0815";
    event.idempotency_key = idempotency_key;
    event.record = json::object{{"contribution_years", 31},
                                {"social_insurance_number", kCanary},
                                {"eligible_earnings", "QC-1961-0815-EARNINGS"}};
    return event;
  }

  // Revenu Québec's connector, subscribed to the contributions (with its encryption key).
  std::unique_ptr<Provider> start_revenu_quebec_subscriber(Inbox& inbox, const fs::path& signing_keys_dir = {}) {
    ClientOptions options = revenu_quebec_options();
    options.signing_keys_dir = signing_keys_dir;
    auto provider = std::make_unique<Provider>(options);
    provider->subscribe({{"pension.contributions", "tax_assessment"}},
                        [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  ClientOptions revenu_quebec_options() const {
    ClientOptions options = sdk_options(revenu_quebec_);
    options.encryption_key_file = secret_key_file();
    return options;
  }

  // Every byte the broker wrote: its files (SQLite databases and their journals) and its log.
  void expect_nowhere_in_the_broker(const std::string& what, const std::string& log) const {
    for (const auto& entry : fs::recursive_directory_iterator(data_dir_)) {
      if (entry.is_regular_file()) EXPECT_THAT(slurp(entry.path()), Not(HasSubstr(what))) << entry.path();
    }
    EXPECT_THAT(log, Not(HasSubstr(what)));
  }

  std::string seal_for_seen() {
    std::lock_guard lock(mutex_);
    return seal_for_seen_;
  }

  static ClientIdentity revenu_quebec_;
  static ClientIdentity retraite_quebec_;
  std::mutex mutex_;
  std::string seal_for_seen_;  // the key the provider was asked to seal for (handler thread)
};

ClientIdentity EndToEndEncryption::revenu_quebec_;
ClientIdentity EndToEndEncryption::retraite_quebec_;

TEST_F(EndToEndEncryption, TheRecordIsSealedForTheConsumerAndTheBrokerNeverHoldsItInClear) {
  ::testing::internal::CaptureStderr();  // the broker's log
  start_broker();
  auto provider = start_retraite_quebec();
  ClientOptions options = revenu_quebec_options();
  options.signing_keys_dir = dir_->path() / "keys" / "signing";
  Client revenu_quebec(options);
  auto response = revenu_quebec.exchange(contributions());
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(response) << response.error().message;
  // Signed inside the seal (pensions are rated high for integrity), proven by the consumer.
  ASSERT_TRUE(response->proof.has_value());
  EXPECT_EQ(response->proof->claims.audience, "revenu-quebec");
  EXPECT_EQ(response->proof->disclosures.size(), 3u);

  EXPECT_EQ(response->record.at("social_insurance_number"), kCanary);  // delivered intact
  EXPECT_EQ(response->record.at("contribution_years"), 31);
  EXPECT_EQ(response->record.if_contains("earnings_history"), nullptr);  // minimised before sealing
  EXPECT_FALSE(response->sealed_record.empty());
  EXPECT_THAT(response->sealed_record, Not(HasSubstr("CANARY")));
  EXPECT_THAT(response->obligations, ::testing::Contains("end_to_end_encryption"));
  EXPECT_EQ(seal_for_seen(), slurp(registered_key()).substr(0, 44));  // the registered key

  // Audited with the hash of what was sealed, and the canary nowhere the broker writes.
  auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].decision, audit::Decision::allow);
  EXPECT_EQ(entries[0].category, "pension.contributions");
  ASSERT_TRUE(entries[0].payload_hash.has_value());
  EXPECT_EQ(*entries[0].payload_hash, pse::Sha256().update(response->sealed_record).finish());
  expect_nowhere_in_the_broker(kCanary, log);
}

// Through the C interface too: the record opened with the consumer's key and its signature
// checked before the caller sees it; without the key, decryption_failed.
TEST_F(EndToEndEncryption, AConsumerInCReceivesTheSealedRecordOpenedAndProven) {
  start_broker();
  auto provider = start_retraite_quebec();
  const std::string ca = pki_->ca().string(), cert = revenu_quebec_.cert.string(), key = revenu_quebec_.key.string();
  const std::string secret = secret_key_file().string(), signing = (dir_->path() / "keys" / "signing").string();
  pse_client_options options{};
  options.port = broker_->port();
  options.server_name = "localhost";
  options.ca_file = ca.c_str();
  options.certificate_file = cert.c_str();
  options.key_file = key.c_str();
  options.encryption_key_file = secret.c_str();
  options.signing_keys_dir = signing.c_str();
  const char* request = R"({"subject": "QC-1961-0815", "provider": "retraite-quebec",
      "category": "pension.contributions", "purpose": "tax_assessment"})";

  char* error = nullptr;
  pse_client* client = pse_client_new(&options, &error);
  ASSERT_NE(client, nullptr) << (error != nullptr ? error : "");
  char *response = nullptr, *code = nullptr, *message = nullptr;
  ASSERT_EQ(pse_exchange(client, request, &response, &code, &message), 0) << (message != nullptr ? message : "");
  EXPECT_EQ(json::parse(response).at("record").at("social_insurance_number"), kCanary);
  pse_string_free(response);
  pse_client_free(client);

  options.encryption_key_file = nullptr;
  client = pse_client_new(&options, &error);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(pse_exchange(client, request, &response, &code, &message), 502);
  EXPECT_STREQ(code, "decryption_failed");
  EXPECT_EQ(response, nullptr);
  pse_string_free(code);
  pse_string_free(message);
  pse_client_free(client);
}

TEST_F(EndToEndEncryption, AConsumerWithoutItsKeyCannotReadTheRecord) {
  start_broker();
  auto provider = start_retraite_quebec();
  Client without_key(sdk_options(revenu_quebec_));
  auto response = without_key.exchange(contributions());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().reason, Reason::decryption_failed);
  EXPECT_THAT(response.error().message, HasSubstr("encryption_key_file"));

  // Another organisation's key does not open it either.
  const fs::path wrong = dir_->path() / "wrong.enc.key";
  std::uint8_t public_key[crypto_box_PUBLICKEYBYTES];
  std::uint8_t secret_key[crypto_box_SECRETKEYBYTES];
  crypto_box_keypair(public_key, secret_key);
  std::ofstream(wrong) << to_base64(std::span<const std::uint8_t>(secret_key), Base64::standard) << "\n";
  ClientOptions options = sdk_options(revenu_quebec_);
  options.encryption_key_file = wrong;
  auto with_wrong_key = Client(options).exchange(contributions());
  ASSERT_FALSE(with_wrong_key);
  EXPECT_EQ(with_wrong_key.error().reason, Reason::decryption_failed);
}

// A connector that answers in clear what the rule requires sealed: refused, and the record
// kept nowhere.
TEST_F(EndToEndEncryption, ARecordSentInClearIsRefusedAndNotKept) {
  ::testing::internal::CaptureStderr();
  start_broker();
  TestConnector connector(broker_->port(), pki_->ca(), retraite_quebec_);
  ASSERT_EQ(connector.connect({"pension.contributions"})->at("type"), "ready") << connector.error();
  connector.serve([](const json::object& request) {
    EXPECT_TRUE(request.contains("seal_for"));
    return record_response(request, json::object{{"social_insurance_number", kCanary}});
  });
  const HttpResult result = post(revenu_quebec_, "/v1/exchange",
                                 R"({"subject": "QC-1", "provider": "retraite-quebec", "category": "pension.contributions",
                                     "purpose": "tax_assessment"})");
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(result.status, 502) << result.body;
  EXPECT_THAT(result.body, HasSubstr("provider_error"));
  EXPECT_THAT(result.body, HasSubstr("requires sealed"));
  auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].reason, "provider_error");
  expect_nowhere_in_the_broker(kCanary, log);
}

// A connector that keeps its own copy of the platform's registry seals only for the key
// registered for the consumer, whatever key the broker names.
TEST_F(EndToEndEncryption, AConnectorWithTheRegistrySealsOnlyForTheRegisteredKey) {
  start_broker();
  {
    auto provider = start_retraite_quebec(dir_->path() / "keys" / "encryption");  // the same registry
    auto response = Client(revenu_quebec_options()).exchange(contributions());
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->record.at("social_insurance_number"), kCanary);
  }
  // The broker's registry now differs from the connector's copy (as if the broker named a key
  // of its own): the connector refuses to seal.
  const fs::path copy = dir_->path() / "connector-registry";
  fs::create_directories(copy);
  std::uint8_t public_key[crypto_box_PUBLICKEYBYTES];
  std::uint8_t secret_key[crypto_box_SECRETKEYBYTES];
  crypto_box_keypair(public_key, secret_key);
  std::ofstream(copy / "revenu-quebec.pub") << to_base64(std::span<const std::uint8_t>(public_key), Base64::standard) << "\n";
  auto provider = start_retraite_quebec(copy);
  auto refused = Client(revenu_quebec_options()).exchange(contributions());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::provider_error);
}

TEST_F(EndToEndEncryption, NoRecordIsAskedForAConsumerWithoutARegisteredKey) {
  const std::string registered = slurp(registered_key());
  fs::remove(registered_key());
  start_broker();
  auto provider = start_retraite_quebec();
  const HttpResult result = post(revenu_quebec_, "/v1/exchange",
                                 R"({"subject": "QC-2", "provider": "retraite-quebec", "category": "pension.contributions",
                                     "purpose": "tax_assessment"})");
  std::ofstream(registered_key()) << registered;
  EXPECT_EQ(result.status, 403) << result.body;
  EXPECT_THAT(result.body, HasSubstr("encryption_key_missing"));
  EXPECT_TRUE(seal_for_seen().empty());  // the provider was never asked
  ASSERT_EQ(audit_entries().size(), 1u);
  EXPECT_EQ(audit_entries()[0].reason, "encryption_key_missing");
}

// Publish/subscribe cannot seal an event for its subscriber yet: a subscriber whose rule requires
// end-to-end encryption receives nothing rather than the record in clear, and the refusal is in
// the audit log.
// Publish/subscribe: the publisher's SDK reads the sealing plan, seals Revenu Québec's fields
// for its key, and sends nothing in clear, since no rule receives this category in clear.
TEST_F(EndToEndEncryption, AnEventIsSealedByItsPublisherAndTheBrokerNeverHoldsItInClear) {
  ::testing::internal::CaptureStderr();
  start_broker();
  Inbox inbox;
  auto revenu_quebec = start_revenu_quebec_subscriber(inbox, dir_->path() / "keys" / "signing");

  auto published = Client(sdk_options(retraite_quebec_)).publish(contributions_event("cotisations-2026"));
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_TRUE(inbox.wait_for(1));
  revenu_quebec->stop();
  const std::string log = ::testing::internal::GetCapturedStderr();

  const Delivery delivery = inbox.received().at(0);
  EXPECT_EQ(delivery.record.at("social_insurance_number"), kCanary);  // delivered intact
  EXPECT_EQ(delivery.record.at("contribution_years"), 31);
  EXPECT_EQ(delivery.record.if_contains("eligible_earnings"), nullptr);  // not the rule's: not sealed
  EXPECT_THAT(delivery.obligations, ::testing::Contains("end_to_end_encryption"));
  // Signed inside the seal, and proven with the publisher's key.
  ASSERT_TRUE(delivery.proof.has_value());
  EXPECT_EQ(delivery.proof->claims.request_id, published->event_id);
  EXPECT_EQ(delivery.proof->disclosures.size(), 2u);

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].decision, audit::Decision::allow);
  ASSERT_TRUE(entries[0].payload_hash.has_value());
  EXPECT_EQ(*entries[0].payload_hash, pse::Sha256().update(delivery.sealed_record).finish());
  expect_nowhere_in_the_broker(kCanary, log);
  expect_nowhere_in_the_broker("QC-1961-0815-EARNINGS", log);
}

// The sealing plan names the rules that require sealing, with the keys the platform registered.
TEST_F(EndToEndEncryption, ThePublisherLearnsWhomToSealForAndWhichFields) {
  start_broker();
  const HttpResult plan = get(retraite_quebec_, "/v1/publish/sealing/pension.contributions");
  ASSERT_EQ(plan.status, 200) << plan.body;
  const json::object body = json::parse(plan.body).as_object();
  EXPECT_EQ(body.at("clear_fields"), json::array());
  ASSERT_EQ(body.at("sealed").as_array().size(), 1u);
  const json::object& recipient = body.at("sealed").as_array()[0].as_object();
  EXPECT_EQ(recipient.at("organisation"), "revenu-quebec");
  EXPECT_EQ(recipient.at("fields"), (json::array{"contribution_years", "total_contributions", "social_insurance_number"}));
  EXPECT_EQ(recipient.at("key"), json::value(slurp(registered_key()).substr(0, 44)));

  // Fields some rule receives in clear are listed as such, and nothing is sealed there.
  const HttpResult clear = get(retraite_quebec_, "/v1/publish/sealing/pension.benefit_payments");
  ASSERT_EQ(clear.status, 200) << clear.body;
  EXPECT_EQ(json::parse(clear.body).at("sealed"), json::array());
  EXPECT_EQ(json::parse(clear.body).at("clear_fields"),
            (json::array{"benefit_type", "monthly_amount", "payment_start", "survivors.given_names",
                         "survivors.relationship"}));

  const HttpResult unknown = get(retraite_quebec_, "/v1/publish/sealing/no.such.category");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("unknown_category"));
  const HttpResult not_owner = get(revenu_quebec_, "/v1/publish/sealing/pension.contributions");
  EXPECT_EQ(not_owner.status, 403) << not_owner.body;
  EXPECT_THAT(not_owner.body, HasSubstr("not_category_owner"));
}

// A publisher that can seal for nobody (its own registry has no key for the subscriber) sends
// nothing in clear; the broker refuses that delivery, audited, and the subscriber gets nothing.
TEST_F(EndToEndEncryption, AnEventNobodySealedForTheSubscriberIsNotDelivered) {
  ::testing::internal::CaptureStderr();
  start_broker();
  Inbox inbox;
  auto revenu_quebec = start_revenu_quebec_subscriber(inbox);

  ClientOptions publisher = sdk_options(retraite_quebec_);
  publisher.encryption_keys_dir = dir_->path() / "empty-registry";
  fs::create_directories(publisher.encryption_keys_dir);
  auto published = Client(publisher).publish(contributions_event("cotisations-2027"));
  ASSERT_TRUE(published) << published.error().message;

  EXPECT_FALSE(inbox.wait_for(1, std::chrono::seconds(2)));
  revenu_quebec->stop();
  const std::string log = ::testing::internal::GetCapturedStderr();
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].consumer, "revenu-quebec");
  EXPECT_EQ(entries[0].decision, audit::Decision::deny);
  EXPECT_EQ(entries[0].reason, "sealing_unavailable");
  expect_nowhere_in_the_broker(kCanary, log);
}

// Published by hand in clear, against the rule: refused for that subscriber, never delivered.
TEST_F(EndToEndEncryption, AnEventPublishedInClearIsNotDeliveredToARuleThatRequiresSealing) {
  start_broker();
  Inbox inbox;
  auto revenu_quebec = start_revenu_quebec_subscriber(inbox);

  const HttpResult result =
      post(retraite_quebec_, "/v1/publish",
           signed_publish_body("retraite-quebec", R"({"category": "pension.contributions", "subject": "QC-1961-0815",
               "idempotency_key": "en-clair", "record": {"contribution_years": 31}})"));
  EXPECT_EQ(result.status, 202) << result.body;
  EXPECT_FALSE(inbox.wait_for(1, std::chrono::seconds(2)));
  revenu_quebec->stop();
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].reason, "sealing_unavailable");
}

}  // namespace
}  // namespace pse::testing

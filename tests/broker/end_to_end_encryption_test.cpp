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

#include "base/base64.hpp"
#include "base/sha256.hpp"
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
  Client revenu_quebec(revenu_quebec_options());
  auto response = revenu_quebec.exchange(contributions());
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(response) << response.error().message;

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
TEST_F(EndToEndEncryption, AnEventIsNotDeliveredInClearToARuleThatRequiresSealing) {
  start_broker();
  Inbox inbox;
  Provider revenu_quebec(sdk_options(revenu_quebec_));
  revenu_quebec.subscribe({{"pension.contributions", "tax_assessment"}},
                          [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
  ASSERT_TRUE(revenu_quebec.start());
  ASSERT_TRUE(revenu_quebec.wait_ready(std::chrono::seconds(10)));

  PublishRequest contributions;
  contributions.category = "pension.contributions";
  contributions.subject = "QC-1961-0815";
  contributions.idempotency_key = "cotisations-2026";
  contributions.record = json::object{{"contribution_years", 31}, {"social_insurance_number", kCanary}};
  auto published = Client(sdk_options(retraite_quebec_)).publish(contributions);  // signed: sdk_options
  ASSERT_TRUE(published) << published.error().message;

  EXPECT_FALSE(inbox.wait_for(1, std::chrono::seconds(2)));
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].consumer, "revenu-quebec");
  EXPECT_EQ(entries[0].decision, audit::Decision::deny);
  EXPECT_EQ(entries[0].reason, "sealing_unavailable");
  revenu_quebec.stop();
}

}  // namespace
}  // namespace pse::testing

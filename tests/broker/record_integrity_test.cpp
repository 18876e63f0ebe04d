// Provider-signed records through a real broker, with the SDK on both sides: the shipped
// classification requires signatures from integrity "élevé", so État civil signs each death record it returns
// to Retraite Québec (rule retraite-quebec-death-notice, four fields of six). Retraite Québec
// proves each field it received came unaltered from État civil, and never receives the proof
// of a field it may not see; a record altered, unsigned, signed with another key or for
// another citizen is refused integrity_failed, and audited.
#include "broker_fixture.hpp"
// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>
#include <pse/provider.hpp>
#include <pse/record_proof.hpp>

#include "base/base64.hpp"
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

constexpr const char* kCanary = "CANARY-cause-of-death-7d31";

integrity::Key new_seed() {
  integrity::Key seed{};
  EXPECT_GE(sodium_init(), 0);
  randombytes_buf(seed.data(), seed.size());
  return seed;
}

void write_key(const fs::path& file, const integrity::Key& key) {
  std::ofstream(file) << to_base64(std::span<const std::uint8_t>(key), Base64::standard) << "\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
}

json::object death_record() {
  return json::object{{"surname", "Tremblay"},       {"given_names", "Rita"},       {"birth_date", "1950-01-01"},
                      {"death_date", "2026-11-30"},  {"death_place", "Rimouski"},  {"cause_of_death", kCanary}};
}

class RecordIntegrity : public BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    retraite_quebec_ = pki_->issue_org("retraite-quebec");
    // État civil's signing key: the seed kept by État civil for its connector, the public half
    // registered with the platform, which also hands a copy to Retraite Québec.
    seed_ = new_seed();
    fs::create_directories(dir_->path() / "keys" / "signing");
    write_key(seed_file(), seed_);
    write_key(registered_key(), integrity::public_key_of(seed_));
    // The shipped classification requires signatures from integrity élevé; this copy does not.
    std::ifstream shipped(PSE_SOURCE_DIR "/config/classification.yaml");
    std::ofstream unsigned_copy(unsigned_classification());
    for (std::string line; std::getline(shipped, line);) {
      if (!line.starts_with("signed_integrity_from:")) unsigned_copy << line << "\n";
    }
  }

  static fs::path seed_file() { return dir_->path() / "etat-civil.sign.key"; }
  static fs::path registered_key() { return dir_->path() / "keys" / "signing" / "etat-civil.pub"; }
  static fs::path unsigned_classification() { return dir_->path() / "classification-unsigned.yaml"; }

  void start_signing_broker() { start_broker(); }

  std::unique_ptr<Provider> start_etat_civil(bool with_key = true) {
    ClientOptions options = sdk_options(etat_civil_);
    options.signing_key_file = with_key ? seed_file() : fs::path();
    auto provider = std::make_unique<Provider>(options);
    provider->serve({"identity.death"}, [](const ProviderRequest&) -> Result<json::object> { return death_record(); });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  ClientOptions retraite_quebec_options() const {
    ClientOptions options = sdk_options(retraite_quebec_);
    options.signing_keys_dir = dir_->path() / "keys" / "signing";
    return options;
  }

  static ExchangeRequest death_of(std::string subject) {
    ExchangeRequest request;
    request.subject = std::move(subject);
    request.provider = "etat-civil";
    request.category = "identity.death";
    request.purpose = "pension_termination";
    return request;
  }

  // Retraite Québec's exchange, answered by a hand-driven État civil connector with
  // `answer(request)`: a tampered, unsigned or misdirected record.
  HttpResult exchange_through(std::function<std::string(const json::object& request)> answer) {
    TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
    EXPECT_EQ(connector.connect({"identity.death"})->at("type"), "ready") << connector.error();
    connector.serve(std::move(answer));
    return post(retraite_quebec_, "/v1/exchange",
                R"({"subject": "QC-1950-0101", "provider": "etat-civil", "category": "identity.death",
                    "purpose": "pension_termination", "request_id": "death-1"})");
  }

  static integrity::SignedClaims claims_of(const json::object& request) {
    return {std::string(request.at("consumer").as_string()), std::string(request.at("subject").as_string()),
            std::string(request.at("category").as_string()), std::string(request.at("request_id").as_string()), 0};
  }

  static std::string signed_response(const json::object& request, const json::object& record,
                                     const integrity::SignedRecord& signature) {
    json::object message = json::parse(record_response(request, record)).as_object();
    json::array disclosures;
    for (const auto& disclosure : signature.disclosures) disclosures.emplace_back(disclosure);
    message["integrity"] = json::object{{"jws", signature.jws}, {"disclosures", std::move(disclosures)}};
    return json::serialize(message);
  }

  void expect_refused_integrity_failed(const HttpResult& result, const std::string& why) {
    EXPECT_EQ(result.status, 502) << result.body;
    EXPECT_THAT(result.body, HasSubstr("integrity_failed"));
    EXPECT_THAT(result.body, HasSubstr(why));
    const auto entries = audit_entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].decision, audit::Decision::deny);
    EXPECT_EQ(entries[0].reason, "integrity_failed");
  }

  static ClientIdentity retraite_quebec_;
  static integrity::Key seed_;
};

ClientIdentity RecordIntegrity::retraite_quebec_;
integrity::Key RecordIntegrity::seed_;

TEST_F(RecordIntegrity, TheConsumerProvesEachFieldItReceivedAndNothingOfTheOthers) {
  ::testing::internal::CaptureStderr();  // the broker's log
  start_signing_broker();
  auto provider = start_etat_civil();
  Client retraite_quebec(retraite_quebec_options());
  auto response = retraite_quebec.exchange(death_of("QC-1950-0101"));
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(response) << response.error().message;

  EXPECT_EQ(response->record.size(), 4u);  // surname, given_names, birth_date, death_date
  ASSERT_TRUE(response->proof.has_value());
  EXPECT_EQ(response->proof->disclosures.size(), 4u);
  for (const auto& [name, value] : response->record) EXPECT_TRUE(response->proof->disclosures.contains(name)) << name;
  EXPECT_EQ(response->proof->claims.audience, "retraite-quebec");
  EXPECT_EQ(response->proof->claims.subject, "QC-1950-0101");
  // Only the permitted fields' disclosures were forwarded; the others' values never left État civil.
  EXPECT_EQ(response->signature.disclosures.size(), 4u);
  EXPECT_THAT(log, Not(HasSubstr(kCanary)));
  EXPECT_THAT(log, Not(HasSubstr("Rimouski")));

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].decision, audit::Decision::allow);
}

// A connector that sends its whole row and every disclosure: the broker forwards only the
// permitted fields and their disclosures, since another field's disclosure holds its value.
TEST_F(RecordIntegrity, TheBrokerForwardsOnlyTheDisclosuresOfThePermittedFields) {
  start_signing_broker();
  std::vector<std::string> all_disclosures;
  std::mutex mutex;
  const HttpResult result = exchange_through([&](const json::object& request) {
    const auto signature = integrity::sign_record(death_record(), claims_of(request), seed_);
    std::lock_guard lock(mutex);
    all_disclosures = signature.disclosures;
    return signed_response(request, death_record(), signature);
  });
  ASSERT_EQ(result.status, 200) << result.body;
  const json::object answer = json::parse(result.body).as_object();
  const json::array& forwarded = answer.at("integrity").at("disclosures").as_array();
  ASSERT_EQ(forwarded.size(), 4u);
  std::lock_guard lock(mutex);
  ASSERT_EQ(all_disclosures.size(), 6u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(forwarded[i].as_string(), all_disclosures[i]);  // the record's order
  EXPECT_THAT(result.body, Not(HasSubstr(all_disclosures[4])));  // death_place
  EXPECT_THAT(result.body, Not(HasSubstr(all_disclosures[5])));  // cause_of_death
  EXPECT_THAT(result.body, Not(HasSubstr(kCanary)));
}

TEST_F(RecordIntegrity, AConsumerHoldingAnotherKeyForTheProviderRefusesTheRecord) {
  start_signing_broker();
  auto provider = start_etat_civil();
  const fs::path keys = dir_->path() / "wrong-keys";
  fs::create_directories(keys);
  write_key(keys / "etat-civil.pub", integrity::public_key_of(new_seed()));
  ClientOptions options = retraite_quebec_options();
  options.signing_keys_dir = keys;
  auto response = Client(options).exchange(death_of("QC-1950-0101"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().reason, Reason::integrity_failed);
  EXPECT_THAT(response.error().message, HasSubstr("does not verify"));
}

TEST_F(RecordIntegrity, AProviderWithoutItsSigningKeyIsNotAnswered) {
  start_signing_broker();
  auto provider = start_etat_civil(/*with_key=*/false);
  auto response = Client(retraite_quebec_options()).exchange(death_of("QC-1950-0101"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().reason, Reason::provider_error);
}

TEST_F(RecordIntegrity, AnUnsignedRecordIsRefused) {
  start_signing_broker();
  const HttpResult result = exchange_through([](const json::object& request) {
    EXPECT_EQ(request.at("sign"), true);
    return json::serialize(json::object{{"type", "response"}, {"id", request.at("id")}, {"record", death_record()}});
  });
  expect_refused_integrity_failed(result, "did not sign");
}

TEST_F(RecordIntegrity, AValueAlteredAfterSigningIsRefused) {
  start_signing_broker();
  const HttpResult result = exchange_through([](const json::object& request) {
    const auto signature = integrity::sign_record(death_record(), claims_of(request), seed_);
    json::object altered = death_record();
    altered["death_date"] = "2025-11-30";
    return signed_response(request, altered, signature);
  });
  expect_refused_integrity_failed(result, "'death_date' differs from its signed value");
}

TEST_F(RecordIntegrity, ARecordSignedWithAnUnregisteredKeyIsRefused) {
  start_signing_broker();
  const HttpResult result = exchange_through([](const json::object& request) {
    return signed_response(request, death_record(), integrity::sign_record(death_record(), claims_of(request), new_seed()));
  });
  expect_refused_integrity_failed(result, "does not verify with the provider");
}

TEST_F(RecordIntegrity, ARecordSignedForAnotherCitizenIsRefused) {
  start_signing_broker();
  const HttpResult result = exchange_through([](const json::object& request) {
    integrity::SignedClaims replayed = claims_of(request);
    replayed.subject = "QC-1949-1231";
    return signed_response(request, death_record(), integrity::sign_record(death_record(), replayed, seed_));
  });
  expect_refused_integrity_failed(result, "made for another");
}

TEST_F(RecordIntegrity, AProviderWithoutARegisteredKeyIsRefused) {
  const std::string registered = [] {
    std::ifstream in(registered_key());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  fs::remove(registered_key());
  start_signing_broker();
  auto provider = start_etat_civil();
  const HttpResult result = post(retraite_quebec_, "/v1/exchange",
                                 R"({"subject": "QC-1950-0101", "provider": "etat-civil", "category": "identity.death",
                                     "purpose": "pension_termination"})");
  std::ofstream(registered_key()) << registered;
  expect_refused_integrity_failed(result, "no signing key is registered for 'etat-civil'");
}

TEST_F(RecordIntegrity, WithoutALevelNothingIsSigned) {
  start_broker([](broker::BrokerConfig& config) { config.classification_file = unsigned_classification(); });
  auto provider = start_etat_civil();
  auto response = Client(retraite_quebec_options()).exchange(death_of("QC-1950-0101"));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_TRUE(response->signature.jws.empty());
  EXPECT_FALSE(response->proof.has_value());
}

}  // namespace
}  // namespace pse::testing

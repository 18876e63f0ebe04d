// The SDK on both sides of a real broker: an État civil connector built with pse::Provider, and
// consumers built with pse::Client — real mTLS, real WebSocket, real policy, consent and audit.
#include "broker_fixture.hpp"

// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include "policy/instant.hpp"

#include <boost/json.hpp>

#include <boost/asio/use_future.hpp>
#include <gmock/gmock.h>

#include <atomic>
#include <future>
#include <map>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;

class SdkExchange : public BrokerTest {
 protected:
  // État civil's registry, as its connector would read it from its own system.
  std::unique_ptr<Provider> start_etat_civil() {
    auto provider = std::make_unique<Provider>(sdk_options(etat_civil_));
    provider->serve({"identity.birth"}, [](const ProviderRequest& request) -> Result<json::object> {
      if (request.subject == "QC-UNKNOWN") return make_error(Reason::record_not_found, "no such act of birth");
      json::object record{{"surname", "Tremblay"}, {"given_names", request.subject}, {"sex", "F"},
                          {"birth_date", "1957-03-14"}, {"birth_place", "Québec"},
                          {"parents_names", "Marie Gagnon; Paul Tremblay"}};
      return record;
    });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  // A hub of two brokers on one fresh PostgreSQL store: broker_ and the one returned.
  std::unique_ptr<broker::Broker> start_hub_of_two() {
    backend_ = Backend::postgresql;
    store::StoreConfig shared;
    start_broker([&](broker::BrokerConfig& config) { shared = config.store; });
    broker::BrokerConfig second_config = base_config();
    second_config.store = shared;
    auto second = std::make_unique<broker::Broker>(std::move(second_config));
    second->start();
    return second;
  }

  static ExchangeRequest birth(const std::string& subject, const std::string& purpose) {
    ExchangeRequest request;
    request.subject = subject;
    request.provider = "etat-civil";
    request.category = "identity.birth";
    request.purpose = purpose;
    return request;
  }
};

TEST_F(SdkExchange, ConsumerReceivesTheMinimisedRecordThroughTheSdk) {
  start_broker();
  auto provider = start_etat_civil();
  Client ramq(sdk_options(ramq_));
  ExchangeRequest request = birth("QC-1957-0042", "health_insurance_registration");
  request.fields = {"surname", "birth_date", "parents_names"};
  auto response = ramq.exchange(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->record.at("surname"), "Tremblay");
  EXPECT_EQ(response->record.size(), 2u);
  ASSERT_EQ(response->refused_fields.size(), 1u);
  EXPECT_EQ(response->refused_fields[0].name, "parents_names");
  EXPECT_EQ(response->refused_fields[0].reason, Reason::field_not_permitted);
  EXPECT_EQ(response->rule_id, "ramq-birth-registration");

  auto unknown = ramq.exchange(birth("QC-UNKNOWN", "health_insurance_registration"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, Reason::record_not_found);
}

TEST_F(SdkExchange, ConsentThenRevocationThroughTheSdk) {
  start_broker();
  auto provider = start_etat_civil();
  Client retraite(sdk_options(pki_->issue_org("retraite-quebec")));
  auto before = retraite.exchange(birth("QC-1957-0042", "pension_eligibility"));
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().reason, Reason::consent_missing);

  const std::string expires = "2099-01-01";  // refused: beyond the maximum validity
  HttpResult too_long = post(services_quebec_, "/v1/consents", R"({"subject": "QC-1957-0042", "provider": "etat-civil",
      "consumer": "retraite-quebec", "categories": ["identity.birth"],
      "purpose": {"code": "pension_eligibility", "fr": "Admissibilité à la rente", "en": "Pension eligibility"},
      "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
      "collection_method": "web-form", "expires_at": ")" + expires + "\"}");
  EXPECT_EQ(too_long.status, 400);
  std::string body = R"({"subject": "QC-1957-0042", "provider": "etat-civil",
      "consumer": "retraite-quebec", "categories": ["identity.birth"],
      "purpose": {"code": "pension_eligibility", "fr": "Admissibilité à la rente", "en": "Pension eligibility"},
      "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
      "collection_method": "web-form", "expires_at": "EXPIRES"})";
  const auto in_30_days = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                                            std::chrono::days(30));
  body.replace(body.find("EXPIRES"), 7, policy::format_instant(in_30_days));
  HttpResult granted = post(services_quebec_, "/v1/consents", body);
  ASSERT_EQ(granted.status, 201) << granted.body;
  const std::string consent_id(json::parse(granted.body).at("consent").at("id").as_string());

  auto allowed = retraite.exchange(birth("QC-1957-0042", "pension_eligibility"));
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_EQ(allowed->record.size(), 3u);  // surname, given_names, birth_date
  EXPECT_EQ(allowed->basis.reference, consent_id);

  ASSERT_EQ(post(services_quebec_, "/v1/consents/" + consent_id + "/revoke",
                 R"({"subject": "QC-1957-0042", "method": "web-form"})").status, 200);
  auto after = retraite.exchange(birth("QC-1957-0042", "pension_eligibility"));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().reason, Reason::consent_revoked);
}

TEST_F(SdkExchange, ProviderAbsentThenPresentThenGone) {
  start_broker();
  Client ramq(sdk_options(ramq_));
  auto none = ramq.exchange(birth("QC-1", "health_insurance_registration"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, Reason::provider_unavailable);
  auto provider = start_etat_civil();
  auto present = ramq.exchange(birth("QC-1", "health_insurance_registration"));
  EXPECT_TRUE(present) << present.error().message;
  provider->stop();
  provider.reset();
  auto gone = ramq.exchange(birth("QC-2", "health_insurance_registration"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().reason, Reason::provider_unavailable);
}

TEST_F(SdkExchange, HundredsOfAsyncExchangesEachGetTheirOwnRecord) {
  start_broker();
  auto provider = start_etat_civil();
  Client ramq(sdk_options(ramq_));
  std::vector<std::pair<std::string, std::future<Result<ExchangeResponse>>>> pending;
  for (int i = 0; i < 200; ++i) {
    const std::string subject = "QC-ASYNC-" + std::to_string(i);
    pending.emplace_back(subject, ramq.async_exchange(birth(subject, "health_insurance_registration"),
                                                      boost::asio::use_future));
  }
  int ok = 0;
  for (auto& [subject, future] : pending) {
    auto response = future.get();
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->record.at("given_names"), subject.c_str());  // no cross-talk
    ++ok;
  }
  EXPECT_EQ(ok, 200);
}

// A hub of two brokers on one PostgreSQL store: the connector keeps a connection to each, so a
// consumer is answered whichever broker takes its request; with one broker gone, a client that
// knows both goes to the other without an error, and the connector says which one it misses.
TEST_F(SdkExchange, AConnectorOnEveryBrokerIsReachedThroughEach) {
  auto second = start_hub_of_two();

  ClientOptions both = sdk_options(etat_civil_);
  both.brokers = {{"localhost", broker_->port()}, {"localhost", second->port()}};
  Provider etat_civil(both);
  etat_civil.serve({"identity.birth"}, [](const ProviderRequest& request) -> Result<json::object> {
    return json::object{{"surname", "Tremblay"}, {"given_names", request.subject}, {"birth_date", "1957-03-14"}};
  });
  ASSERT_TRUE(etat_civil.start());
  ASSERT_TRUE(etat_civil.wait_ready(std::chrono::seconds(10))) << "connected to both brokers";

  ClientOptions on_first = sdk_options(ramq_);
  ClientOptions on_second = sdk_options(ramq_);
  on_second.port = second->port();
  for (const ClientOptions& options : {on_first, on_second}) {
    Client ramq(options);
    auto response = ramq.exchange(birth("QC-1957-0042", "health_insurance_registration"));
    ASSERT_TRUE(response) << "through port " << options.port << ": " << response.error().message;
    EXPECT_EQ(response->record.at("surname"), "Tremblay");
  }

  ClientOptions on_both = sdk_options(ramq_);
  on_both.brokers = {{"localhost", second->port()}, {"localhost", broker_->port()}};
  on_both.port = second->port();  // not used with a list: the broker about to go
  Client ramq(on_both);
  for (int i = 0; i < 10; ++i) {
    auto response = ramq.exchange(birth("QC-1957-0042", "health_insurance_registration"));
    ASSERT_TRUE(response) << "taken in turn by both brokers: " << response.error().message;
  }

  const std::uint16_t second_port = second->port();
  second->request_drain();
  second->wait();
  second.reset();
  for (int i = 0; i < 10; ++i) {
    auto still = ramq.exchange(birth("QC-1957-0042", "health_insurance_registration"));
    EXPECT_TRUE(still) << "the client goes to the broker left, and it still reaches the connector: "
                       << still.error().message;
  }
  auto missing = etat_civil.wait_ready(std::chrono::milliseconds(200));
  ASSERT_FALSE(missing) << "one of its brokers is gone";
  EXPECT_THAT(missing.error().message, HasSubstr(":" + std::to_string(second_port)));
  etat_civil.stop();
}

// Two brokers of one hub answer a request id once: a retry on the other broker gets the first
// answer (the same record and audit entry) without asking the provider again; while the first
// attempt still runs, the other broker says so rather than run it twice; and an id claimed by a
// broker that stopped is taken over.
TEST_F(SdkExchange, ARequestIdIsAnsweredOnceWhicheverBrokerEachAttemptReaches) {
  auto second = start_hub_of_two();

  std::atomic<int> calls{0};
  std::atomic<bool> slow_started{false};
  std::promise<void> release_slow;
  std::shared_future<void> slow_released = release_slow.get_future().share();
  ClientOptions both = sdk_options(etat_civil_);
  both.brokers = {{"localhost", broker_->port()}, {"localhost", second->port()}};
  Provider etat_civil(both);
  etat_civil.serve({"identity.birth"}, [&](const ProviderRequest& request) -> Result<json::object> {
    ++calls;
    if (request.request_id == "rq-slow") {
      slow_started = true;
      slow_released.wait_for(std::chrono::seconds(10));
    }
    return json::object{{"surname", "Tremblay"}, {"given_names", request.subject}, {"birth_date", "1957-03-14"}};
  });
  ASSERT_TRUE(etat_civil.start());
  ASSERT_TRUE(etat_civil.wait_ready(std::chrono::seconds(10)));

  const auto exchange_on = [&](std::uint16_t port, const std::string& request_id) {
    return https_request(port, pki_->ca(), ramq_, "POST", "/v1/exchange",
                         R"({"subject":"QC-1957-0042","provider":"etat-civil","category":"identity.birth",)"
                         R"("purpose":"health_insurance_registration","request_id":")" + request_id + R"("})");
  };
  const auto entries_of = [&](const std::string& request_id) {
    std::size_t count = 0;
    for (const auto& entry : audit_entries()) count += entry.request_id == request_id ? 1 : 0;
    return count;
  };

  const HttpResult first = exchange_on(broker_->port(), "rq-once");
  ASSERT_EQ(first.status, 200) << first.body;
  const HttpResult again = exchange_on(second->port(), "rq-once");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body) << "the same answer, audit_seq included";
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(entries_of("rq-once"), 1u);

  auto running = std::async(std::launch::async, [&] { return exchange_on(broker_->port(), "rq-slow"); });
  for (int i = 0; i < 500 && !slow_started; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(slow_started);
  const HttpResult meanwhile = exchange_on(second->port(), "rq-slow");
  EXPECT_EQ(meanwhile.status, 503);
  EXPECT_THAT(meanwhile.body, HasSubstr("request_in_progress"));
  EXPECT_EQ(meanwhile.retry_after, "1");
  release_slow.set_value();
  const HttpResult slow = running.get();
  ASSERT_EQ(slow.status, 200) << slow.body;
  EXPECT_EQ(exchange_on(second->port(), "rq-slow").body, slow.body);
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(entries_of("rq-slow"), 1u);

  // A claim left by a broker that no longer heartbeats (killed while running the exchange).
  auto db = PgConnection::connect(*postgres_);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->execute("INSERT INTO exchange_claims (consumer, request_id, broker_id, expires_at) "
                          "VALUES ($1, 'rq-orphan', 'a-broker-killed-earlier', 9000000000000000)",
                          PgParams().text(audit_entries().front().consumer))
                  .ok());
  const HttpResult orphan = exchange_on(second->port(), "rq-orphan");
  EXPECT_EQ(orphan.status, 200) << orphan.body;
  EXPECT_EQ(calls.load(), 3);

  // The kept answers hold records: sealed at rest, bound to their request. One moved to another
  // request id opens for neither, and is not replayed.
  auto kept = db->query("SELECT body FROM exchange_answers");
  ASSERT_TRUE(kept) << kept.error().message;
  ASSERT_GE(kept->size(), 3);
  for (int row = 0; row < kept->size(); ++row) EXPECT_THAT(kept->bytes(row, 0), Not(HasSubstr("Tremblay")));
  ASSERT_TRUE(db->execute("UPDATE exchange_answers SET request_id = 'rq-moved' WHERE request_id = 'rq-once'").ok());
  const HttpResult moved = exchange_on(second->port(), "rq-moved");
  EXPECT_EQ(moved.status, 503) << moved.body;
  EXPECT_EQ(calls.load(), 3);
  etat_civil.stop();
}

}  // namespace
}  // namespace pse::testing

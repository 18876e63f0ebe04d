// Publish/subscribe through a real broker: publishers on pse::Client, subscribers on
// pse::Provider — real mTLS, WebSocket, policy, consent, audit and durable queues.
#include "broker_fixture.hpp"
#include "delivery_inbox.hpp"

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include "audit/audit_log.hpp"
#include "broker/queue/pg_queue_store.hpp"
#include "broker/store_listener.hpp"
#include "policy/instant.hpp"
#include "support/test_connector.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <set>
#include <thread>
#include <mutex>
#include <vector>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;
using namespace std::chrono_literals;

class PubSub : public BrokerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  PubSub() { backend_ = GetParam(); }

  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    if (saaq_.cert.empty()) {
      saaq_ = pki_->issue_org("saaq");
      retraite_ = pki_->issue_org("retraite-quebec");
      afe_ = pki_->issue_org("afe");
    }
  }

  std::unique_ptr<Provider> subscribe(const ClientIdentity& who, std::vector<Subscription> subscriptions, Inbox& inbox) {
    auto subscriber = std::make_unique<Provider>(sdk_options(who));
    subscriber->subscribe(std::move(subscriptions), [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
    EXPECT_TRUE(subscriber->start());
    auto ready = subscriber->wait_ready(10s);
    EXPECT_TRUE(ready) << (ready ? "" : ready.error().message);
    return subscriber;
  }

  static PublishRequest death(const std::string& subject, const std::string& key) {
    PublishRequest request;
    request.category = "identity.death";
    request.subject = subject;
    request.idempotency_key = key;
    request.record = json::object{{"surname", "Tremblay"},         {"given_names", "Jeanne"},
                                  {"birth_date", "1931-05-02"},    {"death_date", "2026-11-20"},
                                  {"death_place", "Québec"},       {"cause_of_death", "confidential"}};
    return request;
  }

  // Audit entries of one event, read back from the broker's log.
  std::vector<audit::AuditEntry> audit_entries_of(const std::string& event_id) const {
    std::vector<audit::AuditEntry> found;
    for (auto& entry : audit_entries()) {
      if (entry.request_id == event_id) found.push_back(std::move(entry));
    }
    return found;
  }

  HttpResult admin(const std::string& method, const std::string& target) const {
    return http_request(broker_->admin_port(), method, target, {{"Authorization", std::string("Bearer ") + kAdminToken}});
  }

  static ClientIdentity saaq_;
  static ClientIdentity retraite_;
  static ClientIdentity afe_;
};

ClientIdentity PubSub::saaq_;
ClientIdentity PubSub::retraite_;
ClientIdentity PubSub::afe_;

// Each test runs on the embedded SQLite store and on PostgreSQL.
INSTANTIATE_TEST_SUITE_P(Stores, PubSub, kEachBackend, backend_name);

TEST_P(PubSub, EntitledSubscribersReceiveMinimisedRecordsOthersNothing) {
  start_broker();
  Inbox ramq_inbox, retraite_inbox, saaq_inbox;
  auto ramq = subscribe(ramq_, {{"identity.death", "health_insurance_termination"}}, ramq_inbox);
  auto retraite = subscribe(retraite_, {{"identity.death", "pension_termination"}}, retraite_inbox);
  // No rule lets the SAAQ receive deaths: it subscribes, and must never learn of the event.
  auto saaq = subscribe(saaq_, {{"identity.death", "address_update"}}, saaq_inbox);

  Client etat_civil(sdk_options(etat_civil_));
  auto published = etat_civil.publish(death("QC-1931-0007", "deces-2026-000001"));
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_FALSE(published->duplicate);
  EXPECT_THAT(published->event_id, ::testing::StartsWith("evt_"));

  ASSERT_TRUE(ramq_inbox.wait_for(1));
  ASSERT_TRUE(retraite_inbox.wait_for(1));
  const Delivery got = ramq_inbox.received().front();
  EXPECT_EQ(got.event_id, published->event_id);
  EXPECT_EQ(got.publisher, "etat-civil");
  EXPECT_EQ(got.category, "identity.death");
  EXPECT_EQ(got.purpose, "health_insurance_termination");
  EXPECT_EQ(got.subject, "QC-1931-0007");
  EXPECT_EQ(got.attempt, 1u);
  EXPECT_EQ(got.record.size(), 5u);  // the rule's fields: never the cause of death
  EXPECT_FALSE(got.record.contains("cause_of_death"));
  EXPECT_EQ(got.record.at("death_date").as_string(), "2026-11-20");

  // By the time the entitled ones have theirs, the SAAQ would have had its copy too.
  EXPECT_FALSE(saaq_inbox.wait_for(1, 500ms));

  // One audit entry per subscriber: two allowed, one denied with its reason.
  const auto entries = audit_entries_of(published->event_id);
  ASSERT_EQ(entries.size(), 3u);
  int allowed = 0;
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.provider, "etat-civil");
    if (entry.decision == audit::Decision::allow) {
      ++allowed;
    } else {
      EXPECT_EQ(entry.consumer, "saaq");
      EXPECT_EQ(entry.reason, "no_rule");
    }
  }
  EXPECT_EQ(allowed, 2);
}

TEST_P(PubSub, RepublishWithTheSameKeyIsAcknowledgedAndNotDeliveredTwice) {
  start_broker();
  Inbox inbox;
  auto ramq = subscribe(ramq_, {{"identity.death", "health_insurance_termination"}}, inbox);
  Client etat_civil(sdk_options(etat_civil_));
  auto first = etat_civil.publish(death("QC-1931-0008", "deces-2026-000002"));
  auto again = etat_civil.publish(death("QC-1931-0008", "deces-2026-000002"));
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->event_id, again->event_id);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(again->duplicate);
  ASSERT_TRUE(inbox.wait_for(1));
  EXPECT_FALSE(inbox.wait_for(2, 500ms));
}

TEST_P(PubSub, ConsentBasedEventsNeedTheCitizensConsent) {
  start_broker();
  Inbox inbox;
  auto saaq = subscribe(saaq_, {{"identity.address", "address_update"}}, inbox);
  Client services_quebec(sdk_options(services_quebec_));
  PublishRequest moved;
  moved.category = "identity.address";
  moved.subject = "QC-1980-0101";
  moved.idempotency_key = "adresse-1";
  moved.record = json::object{{"province", "QC"}, {"city", "Lévis"}, {"postal_code", "G6V 1A1"},
                              {"street_address", "12, rue Wolfe"}, {"effective_date", "2026-12-01"}};
  auto refused = services_quebec.publish(moved);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(inbox.wait_for(1, 500ms));  // no consent: nothing
  // The refused delivery is in the citizen's register: who would have received what, and why not.
  const HttpResult register_view = get(services_quebec_, "/v1/subjects/QC-1980-0101/accesses");
  ASSERT_EQ(register_view.status, 200) << register_view.body;
  const json::array accesses = json::parse(register_view.body).at("accesses").as_array();
  ASSERT_EQ(accesses.size(), 1u) << register_view.body;
  EXPECT_EQ(accesses[0].at("kind"), "refusal");
  EXPECT_EQ(accesses[0].at("recipient"), "saaq");
  EXPECT_EQ(accesses[0].at("provider"), "services-quebec");
  EXPECT_EQ(accesses[0].at("category"), "identity.address");
  EXPECT_EQ(accesses[0].at("purpose"), "address_update");
  EXPECT_EQ(accesses[0].at("reason"), "consent_missing");
  EXPECT_EQ(accesses[0].at("request_id").as_string(), refused->event_id);

  std::string body = R"({"subject": "QC-1980-0101", "provider": "services-quebec", "consumer": "saaq",
      "categories": ["identity.address"],
      "purpose": {"code": "address_update", "fr": "Changement d'adresse", "en": "Address change"},
      "notice": {"reference": "AVIS-SQ-2026-01", "version": "1.0", "language": "fr"},
      "collection_method": "web-form", "expires_at": "EXPIRES"})";
  const auto in_30_days = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() + std::chrono::days(30));
  body.replace(body.find("EXPIRES"), 7, policy::format_instant(in_30_days));
  ASSERT_EQ(post(services_quebec_, "/v1/consents", body).status, 201);

  moved.idempotency_key = "adresse-2";
  auto published = services_quebec.publish(moved);
  ASSERT_TRUE(published);
  ASSERT_TRUE(inbox.wait_for(1));
  EXPECT_EQ(inbox.received().front().event_id, published->event_id);
  EXPECT_EQ(inbox.received().front().record.at("city").as_string(), "Lévis");
}

TEST_P(PubSub, AnOfflineSubscriberFindsItsBacklogInOrderAndTheRestAfterADisconnect) {
  start_broker([](broker::BrokerConfig& config) {
    config.pubsub.subscriptions.push_back({"ramq", "identity.death", "health_insurance_termination"});
  });
  Client etat_civil(sdk_options(etat_civil_));
  constexpr std::size_t kEvents = 40;
  std::map<std::string, std::vector<std::string>> published;  // subject → event ids in order
  for (std::size_t i = 0; i < kEvents; ++i) {
    // Two subjects, interleaved: order must hold within each.
    const std::string subject = i % 2 == 0 ? "QC-A" : "QC-B";
    auto answer = etat_civil.publish(death(subject, "backlog-" + std::to_string(i)));
    ASSERT_TRUE(answer) << answer.error().message;
    published[subject].push_back(answer->event_id);
  }
  std::vector<Delivery> first;
  {
    Inbox inbox;
    auto ramq = subscribe(ramq_, {{"identity.death", "health_insurance_termination"}}, inbox);
    ASSERT_TRUE(inbox.wait_for(10));
    ramq->stop();  // mid-stream, most likely: nothing may be lost either way
    first = inbox.received();
  }
  Inbox inbox;
  auto ramq = subscribe(ramq_, {{"identity.death", "health_insurance_termination"}}, inbox);
  std::set<std::string> seen;
  for (const auto& delivery : first) seen.insert(delivery.event_id);
  for (int rounds = 0; seen.size() < kEvents && rounds < 100; ++rounds) {
    inbox.wait_for(inbox.received().size() + 1, 100ms);
    for (const auto& delivery : inbox.received()) seen.insert(delivery.event_id);
  }
  EXPECT_EQ(seen.size(), kEvents);

  // Per subject, each connection saw its events in publishing order.
  for (const auto& deliveries : {first, inbox.received()}) {
    std::map<std::string, std::vector<std::string>> per_subject;
    for (const auto& delivery : deliveries) per_subject[delivery.subject].push_back(delivery.event_id);
    for (const auto& [subject, ids] : per_subject) {
      const auto& order = published[subject];
      auto start = std::find(order.begin(), order.end(), ids.front());
      ASSERT_NE(start, order.end());
      ASSERT_LE(ids.size(), static_cast<std::size_t>(order.end() - start)) << subject;
      EXPECT_TRUE(std::equal(ids.begin(), ids.end(), start)) << subject;
    }
  }
}

// The category's availability rating D orders a backlog: identity.death (D2) published after
// births (D1) is delivered first to a subscriber that takes one delivery at a time.
TEST_P(PubSub, AnOfflineSubscribersBacklogGoesOutHighestAvailabilityFirst) {
  start_broker([](broker::BrokerConfig& config) {
    config.pubsub.subscriptions.push_back({"ramq", "identity.birth", "health_insurance_registration"});
    config.pubsub.subscriptions.push_back({"ramq", "identity.death", "health_insurance_termination"});
  });
  Client etat_civil(sdk_options(etat_civil_));
  constexpr int kBirths = 5;
  for (int i = 0; i < kBirths; ++i) {
    PublishRequest birth;
    birth.category = "identity.birth";
    birth.subject = "QC-2026-B" + std::to_string(i);
    birth.idempotency_key = "naissance-" + std::to_string(i);
    birth.record = json::object{{"surname", "Gagnon"},        {"given_names", "Léa"},
                                {"sex", "F"},                 {"birth_date", "2026-11-30"},
                                {"birth_place", "Rimouski"}};
    auto answer = etat_civil.publish(birth);
    ASSERT_TRUE(answer) << answer.error().message;
  }
  auto answer = etat_civil.publish(death("QC-1931-0007", "deces-apres-naissances"));
  ASSERT_TRUE(answer) << answer.error().message;

  Inbox inbox;
  ProviderOptions one_at_a_time;
  one_at_a_time.max_in_flight = 1;
  Provider ramq(sdk_options(ramq_), one_at_a_time);
  ramq.subscribe({{"identity.birth", "health_insurance_registration"}, {"identity.death", "health_insurance_termination"}},
                 [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
  ASSERT_TRUE(ramq.start());
  ASSERT_TRUE(inbox.wait_for(kBirths + 1));
  const auto received = inbox.received();
  EXPECT_EQ(received.front().category, "identity.death");
  EXPECT_EQ(received.front().event_id, answer->event_id);
  for (std::size_t i = 1; i < received.size(); ++i) EXPECT_EQ(received[i].category, "identity.birth");
}

TEST_P(PubSub, RefusedDeliveriesAreRetriedThenDeadLetteredAndReplayedByTheOperator) {
  start_broker([](broker::BrokerConfig& config) {
    config.pubsub.max_attempts = 2;
    config.pubsub.retry_initial = 20ms;
    config.pubsub.retry_max = 50ms;
    config.admin_access.token_file = admin_token_file();
  });
  Inbox inbox;
  inbox.refuse_next(1);
  auto ramq = subscribe(ramq_, {{"identity.death", "health_insurance_termination"}}, inbox);
  Client etat_civil(sdk_options(etat_civil_));
  ASSERT_TRUE(etat_civil.publish(death("QC-1931-0009", "retry-1")));
  ASSERT_TRUE(inbox.wait_for(1));  // refused once, delivered on the second attempt
  EXPECT_EQ(inbox.refused(), 1);
  EXPECT_EQ(inbox.received().front().attempt, 2u);

  inbox.refuse_next(2);  // both attempts refused: a dead letter
  auto dead = etat_civil.publish(death("QC-1931-0010", "retry-2"));
  ASSERT_TRUE(dead);
  HttpResult listed;
  for (int i = 0; i < 100; ++i) {
    listed = admin("GET", "/admin/dead-letters?subscriber=ramq");
    if (listed.status == 200 && json::parse(listed.body).at("dead_letters").as_array().size() == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto letters = json::parse(listed.body).at("dead_letters").as_array();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].at("event_id").as_string(), dead->event_id);
  EXPECT_EQ(letters[0].at("attempts").as_int64(), 2);
  EXPECT_THAT(listed.body, ::testing::Not(HasSubstr("QC-1931-0010")));  // metadata only

  EXPECT_THAT(admin("GET", "/metrics").body, HasSubstr("pse_queue_depth{subscriber=\"ramq\",state=\"dead\"} 1"));

  const std::string id(letters[0].at("id").as_string());
  EXPECT_EQ(admin("POST", "/admin/dead-letters/" + id + "/replay").status, 200);
  ASSERT_TRUE(inbox.wait_for(2));
  EXPECT_EQ(inbox.received().back().event_id, dead->event_id);
  EXPECT_EQ(admin("POST", "/admin/dead-letters/" + id + "/replay").status, 404);

  const HttpResult metrics = admin("GET", "/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("pse_publishes_total{status=\"202\"} 2"));
  EXPECT_THAT(metrics.body, HasSubstr("pse_deliveries_nacked_total 3"));
}

TEST_P(PubSub, PublishesThatBreakTheRulesAreRefusedWithTheirReason) {
  start_broker();
  Client etat_civil(sdk_options(etat_civil_));
  Client ramq(sdk_options(ramq_));
  Client afe(sdk_options(afe_));

  auto not_owner = ramq.publish(death("QC-1", "k1"));
  ASSERT_FALSE(not_owner);
  EXPECT_EQ(not_owner.error().reason, Reason::not_category_owner);

  auto no_role = afe.publish(death("QC-1", "k1"));
  ASSERT_FALSE(no_role);
  EXPECT_EQ(no_role.error().reason, Reason::no_rule);

  PublishRequest unknown_field = death("QC-1", "k2");
  unknown_field.record["shoe_size"] = 42;
  auto refused = etat_civil.publish(unknown_field);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::unknown_field);

  PublishRequest unknown_category = death("QC-1", "k3");
  unknown_category.category = "identity.marriage";
  EXPECT_EQ(etat_civil.publish(unknown_category).error().reason, Reason::unknown_category);

  PublishRequest bad_key = death("QC-1", "not a key!");
  EXPECT_EQ(etat_civil.publish(bad_key).error().reason, Reason::malformed_request);

  EXPECT_EQ(post(etat_civil_, "/v1/publish", R"({"category": "identity.death", "subject": "QC-1",
      "idempotency_key": "k4", "record": {"surname": {"nested": true}}})").status, 400);
  EXPECT_EQ(post(etat_civil_, "/v1/publish", R"({"category": "identity.death", "subject": "QC-1",
      "idempotency_key": "k4", "record": {"surname": "x"}, "extra": 1})").status, 400);
  EXPECT_EQ(get(etat_civil_, "/v1/publish").status, 405);
  // Sealed copies: each names its recipient and fields and holds a sealed box; an empty record
  // is allowed only beside them.
  const std::string event = R"({"category": "identity.death", "subject": "QC-1", "idempotency_key": "k6", )";
  EXPECT_EQ(post(etat_civil_, "/v1/publish", event + R"("record": {}})").status, 400);
  EXPECT_EQ(post(etat_civil_, "/v1/publish", event + R"("record": {}, "sealed": {}})").status, 400);
  EXPECT_EQ(post(etat_civil_, "/v1/publish", event + R"("record": {}, "sealed": [{"for": "ramq", "fields": [],
      "sealed_record": "AAAA"}]})").status, 400);
  HttpResult not_sealed = post(etat_civil_, "/v1/publish", event + R"("record": {}, "sealed": [{"for": "ramq",
      "fields": ["surname"], "sealed_record": "c2VhbGVk"}]})");
  EXPECT_EQ(not_sealed.status, 400);
  EXPECT_THAT(not_sealed.body, HasSubstr("sealed box"));
  HttpResult unknown_sealed_field = post(etat_civil_, "/v1/publish", event + R"("record": {}, "sealed": [{"for": "ramq",
      "fields": ["shoe_size"], "sealed_record": ")" + std::string(72, 'A') + R"("}]})");
  EXPECT_EQ(unknown_sealed_field.status, 400);
  EXPECT_THAT(unknown_sealed_field.body, HasSubstr("unknown_field"));
  HttpResult twice = post(etat_civil_, "/v1/publish", R"({"category": "identity.death", "subject": "QC-1",
      "idempotency_key": "k5", "record": {"surname": "x", "cause_of_death": "y", "surname": "z"}})");
  EXPECT_EQ(twice.status, 400);
  EXPECT_THAT(twice.body, HasSubstr("duplicate key 'record.surname'"));
}

TEST_P(PubSub, ASubscriptionIsRefusedWithoutTheRoleOrForAnUnknownCategory) {
  start_broker();
  Inbox inbox;
  Provider etat_civil(sdk_options(etat_civil_));  // provider and publisher, not subscriber
  etat_civil.subscribe({{"identity.death", "x"}}, [&inbox](const Delivery& d) { return inbox.take(d); });
  ASSERT_TRUE(etat_civil.start());
  auto refused = etat_civil.wait_ready(10s);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::no_rule);

  Provider ramq(sdk_options(ramq_));
  ramq.subscribe({{"identity.marriage", "x"}}, [&inbox](const Delivery& d) { return inbox.take(d); });
  ASSERT_TRUE(ramq.start());
  auto unknown = ramq.wait_ready(10s);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, Reason::unknown_category);
}

// A delivery id of twenty digits is beyond 64 bits: it is an unknown id like any other. Its
// conversion once threw out of the connection's handler, and a subscriber's ack ended the broker.
TEST_P(PubSub, AnAckOrNackForAnIdBeyond64BitsIsIgnoredAndTheBrokerServesOn) {
  start_broker();
  TestConnector ramq(broker_->port(), pki_->ca(), ramq_);
  const json::array subscribes{json::object{{"category", "identity.death"}, {"purpose", "health_insurance_registration"}}};
  auto ready = ramq.connect_with(json::object{{"type", "hello"}, {"subscribes", subscribes}});
  ASSERT_TRUE(ready && ready->at("type") == "ready") << ramq.error();

  ramq.send(R"({"type": "ack", "id": "99999999999999999999"})");
  ramq.send(R"({"type": "nack", "id": "18446744073709551616", "error": {"code": "provider_error"}})");
  // Both counted as answers to no delivery; the broker is still there to say so.
  std::string metrics;
  for (int i = 0; i < 100 && metrics.find("pse_delivery_answers_ignored_total 2") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    metrics = admin("GET", "/metrics").body;
  }
  EXPECT_THAT(metrics, HasSubstr("pse_delivery_answers_ignored_total 2"));
  EXPECT_EQ(get(ramq_, "/v1/whoami").status, 200);
}

// Several brokers on one PostgreSQL store: a subscriber connected to one broker receives what
// was published through another, and its acknowledgements settle the shared queue.
TEST_P(PubSub, ASubscriberOnOneBrokerReceivesWhatAnotherBrokerAccepted) {
  if (GetParam() != Backend::postgresql) GTEST_SKIP() << "an SQLite store serves one broker";
  store::StoreConfig shared;
  start_broker([&](broker::BrokerConfig& config) { shared = config.store; });
  broker::BrokerConfig second_config = base_config();
  second_config.store = shared;
  broker::Broker second(std::move(second_config));
  second.start();

  // What a commit of the first broker announces, as any other broker hears it.
  std::mutex heard_mutex;
  std::condition_variable heard_changed;
  std::set<std::string> heard;
  broker::StoreListener listener(*postgres_, {{std::string(queue::kQueueReadyChannel), [&](const std::string& subscriber) {
                                                 std::lock_guard lock(heard_mutex);
                                                 heard.insert(subscriber);
                                                 heard_changed.notify_all();
                                               }}});

  Inbox inbox;
  ClientOptions on_second = sdk_options(ramq_);
  on_second.port = second.port();
  auto ramq = std::make_unique<Provider>(on_second);
  ramq->subscribe({{"identity.death", "health_insurance_termination"}},
                  [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
  ASSERT_TRUE(ramq->start());
  ASSERT_TRUE(ramq->wait_ready(10s));

  Client etat_civil(sdk_options(etat_civil_));  // through the first broker
  auto published = etat_civil.publish(death("QC-1931-0021", "deces-2026-000021"));
  ASSERT_TRUE(published) << published.error().message;
  ASSERT_TRUE(inbox.wait_for(1)) << "the second broker delivered what the first accepted";
  EXPECT_EQ(inbox.received()[0].event_id, published->event_id);
  {
    std::unique_lock lock(heard_mutex);
    EXPECT_TRUE(heard_changed.wait_for(lock, 5s, [&] { return heard.contains("ramq"); }))
        << "the first broker's commit was announced to the others";
  }

  // The ack went to the second broker; the row is gone from the store both share.
  auto rows = std::optional<PgConnection>();
  std::int64_t left = -1;
  for (int i = 0; i < 100 && left != 0; ++i) {
    std::this_thread::sleep_for(50ms);
    if (!rows) rows.emplace(std::move(PgConnection::connect(*postgres_).value()));
    auto count = rows->query("SELECT count(*) FROM queue_deliveries");
    ASSERT_TRUE(count.ok());
    left = count->integer(0, 0);
  }
  EXPECT_EQ(left, 0) << "acknowledged through the second broker";
  EXPECT_FALSE(inbox.wait_for(2, 500ms)) << "delivered once";
  ramq->stop();
  second.request_drain();
  second.wait();
}

}  // namespace
}  // namespace pse::testing

// The exchange path end to end: a real broker, real mTLS, a connector on a real WebSocket, the
// real policy files, consent registry and audit log.
#include "broker_fixture.hpp"

#include "policy/instant.hpp"
#include "support/test_connector.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <fstream>
#include <future>
#include <iterator>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

// RAMQ may receive État civil's birth records by law (rule ramq-birth-registration), and
// Services Québec with the citizen's consent (rule services-quebec-birth-verification).
std::string birth_request(const std::string& subject, const std::string& purpose = "health_insurance_registration",
                          const std::string& extra = "") {
  return R"({"subject": ")" + subject + R"(", "provider": "etat-civil", "category": "identity.birth", "purpose": ")" +
         purpose + "\"" + extra + "}";
}

json::object full_birth_record(const json::object& request) {
  return json::object{{"surname", "Tremblay"},
                      {"given_names", request.at("subject")},  // lets a test match answers to requests
                      {"sex", "F"},
                      {"birth_date", "1957-03-14"},
                      {"birth_place", "Québec"},
                      {"parents_names", "Marie Gagnon; Paul Tremblay"},  // above what anyone here may see
                      {"subject_echo", request.at("subject")}};
}

class Exchange : public BrokerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  Exchange() { backend_ = GetParam(); }

  // A connector for État civil that answers every request with the full record.
  std::unique_ptr<TestConnector> etat_civil_connector() {
    auto connector = std::make_unique<TestConnector>(broker_->port(), pki_->ca(), etat_civil_);
    auto ready = connector->connect({"identity.birth", "identity.death"});
    EXPECT_TRUE(ready && ready->at("type") == "ready") << connector->error();
    connector->serve([](const json::object& request) { return record_response(request, full_birth_record(request)); });
    return connector;
  }

  HttpResult exchange(const ClientIdentity& who, const std::string& body) { return post(who, "/v1/exchange", body); }

};

// Each test runs on the embedded SQLite store and on PostgreSQL.
INSTANTIATE_TEST_SUITE_P(Stores, Exchange, kEachBackend, backend_name);

TEST_P(Exchange, AllowedByLawReturnsOnlyThePermittedFieldsAndIsAudited) {
  start_broker();
  auto connector = etat_civil_connector();
  HttpResult result = exchange(ramq_, birth_request("QC-1957-0042", "health_insurance_registration",
                                                    R"(, "request_id": "rq-law-1")"));
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = json::parse(result.body).as_object();
  const auto& record = body.at("record").as_object();
  EXPECT_EQ(record.at("surname"), "Tremblay");
  EXPECT_EQ(record.at("birth_place"), "Québec");
  EXPECT_EQ(record.if_contains("parents_names"), nullptr);  // not permitted: dropped
  EXPECT_EQ(record.if_contains("subject_echo"), nullptr);   // not a field of the category: dropped
  EXPECT_EQ(body.at("request_id"), "rq-law-1");
  EXPECT_EQ(body.at("rule_id"), "ramq-birth-registration");
  EXPECT_EQ(body.at("basis").at("type"), "law");
  EXPECT_THAT(std::string(body.at("basis").at("reference").as_string()), HasSubstr("RLRQ, c. A-29"));

  auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].seq, static_cast<std::uint64_t>(body.at("audit_seq").as_int64()));
  EXPECT_EQ(entries[0].decision, audit::Decision::allow);
  EXPECT_EQ(entries[0].request_id, "rq-law-1");
  EXPECT_EQ(entries[0].consumer, "ramq");
  EXPECT_TRUE(entries[0].payload_hash.has_value());
  EXPECT_THAT(http_get(broker_->admin_port(), "/metrics").body, HasSubstr("pse_provider_fields_dropped_total 2"));
}

TEST_P(Exchange, RequestedFieldsAreIntersectedWithTheRule) {
  start_broker();
  auto connector = etat_civil_connector();
  HttpResult result = exchange(services_quebec_, birth_request("QC-1", "identity_verification",
                                                               R"(, "fields": ["surname", "birth_place"])"));
  // Services Québec has no consent yet: refused before the provider is asked.
  EXPECT_EQ(result.status, 403);
  EXPECT_THAT(result.body, HasSubstr(R"("code":"consent_missing")"));

  HttpResult asked = exchange(ramq_, birth_request("QC-1", "health_insurance_registration",
                                                   R"(, "fields": ["surname", "parents_names"])"));
  ASSERT_EQ(asked.status, 200) << asked.body;
  const auto body = json::parse(asked.body).as_object();
  EXPECT_EQ(body.at("record").as_object().size(), 1u);
  EXPECT_THAT(asked.body, HasSubstr(R"({"name":"parents_names","reason":"field_not_permitted"})"));
}

// A field the rule permits and the provider's record leaves out is not dropped in silence: the
// consumer finds it among the refused fields, it is counted, and the audit entry names only the
// fields communicated.
TEST_P(Exchange, APermittedFieldTheProviderLeftOutIsListedAsNotProvided) {
  start_broker();
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  auto ready = connector.connect({"identity.birth"});
  ASSERT_TRUE(ready && ready->at("type") == "ready") << connector.error();
  connector.serve([](const json::object& request) {
    json::object record = full_birth_record(request);
    record.erase("birth_date");
    record["sex"] = nullptr;  // null is a value
    return record_response(request, record);
  });
  HttpResult result = exchange(ramq_, birth_request("QC-1"));
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = json::parse(result.body).as_object();
  EXPECT_EQ(body.at("record").as_object().size(), 4u);
  EXPECT_EQ(body.at("record").at("sex"), nullptr);
  EXPECT_EQ(body.at("refused_fields"), json::parse(R"([{"name": "birth_date", "reason": "field_not_provided"}])"));

  HttpResult only_it = exchange(ramq_, birth_request("QC-1", "health_insurance_registration", R"(, "fields": ["birth_date"])"));
  ASSERT_EQ(only_it.status, 200) << only_it.body;
  EXPECT_EQ(json::parse(only_it.body).at("record"), json::object());
  EXPECT_EQ(json::parse(only_it.body).at("refused_fields"),
            json::parse(R"([{"name": "birth_date", "reason": "field_not_provided"}])"));

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].permitted_fields, (std::vector<std::string>{"surname", "given_names", "sex", "birth_place"}));
  EXPECT_TRUE(entries[1].permitted_fields.empty());
  EXPECT_THAT(http_get(broker_->admin_port(), "/metrics").body, HasSubstr("pse_provider_fields_missing_total 2"));
}

// The broker writes the minimised record as text itself: every kind of scalar, and strings that
// need escaping, must come out exactly as the provider sent them.
TEST_P(Exchange, RecordValuesSurviveTheBrokerByteForByte) {
  start_broker();
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  auto ready = connector.connect({"identity.birth"});
  ASSERT_TRUE(ready && ready->at("type") == "ready") << connector.error();
  const json::object sent{{"surname", "O'Brien \"Tremblay\" \\ / \t\n\r\x01\x1f end"},
                          {"given_names", "Zoë Ægir 日本 \xf0\x9f\x8d\x81"},
                          {"sex", nullptr},
                          {"birth_date", 19570314},
                          {"birth_place", true}};
  connector.serve([&sent](const json::object& request) { return record_response(request, sent); });
  HttpResult result = exchange(ramq_, birth_request("QC-ESC-1"));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(json::parse(result.body).at("record").as_object(), sent);
}

TEST_P(Exchange, ConsentGrantedThenRevoked) {
  start_broker();
  auto connector = etat_civil_connector();
  const std::string request = birth_request("QC-1957-0042", "identity_verification");
  EXPECT_THAT(exchange(services_quebec_, request).body, HasSubstr("consent_missing"));

  const std::string expires = policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now() + std::chrono::days(30)));
  HttpResult granted = post(services_quebec_, "/v1/consents", R"({"subject": "QC-1957-0042", "provider": "etat-civil",
      "consumer": "services-quebec", "categories": ["identity.birth"],
      "purpose": {"code": "identity_verification", "fr": "Vérifier votre identité", "en": "Verify your identity"},
      "notice": {"reference": "AVIS-SQ-1", "version": "1", "language": "fr"},
      "collection_method": "web-form", "expires_at": ")" + expires + "\"}");
  ASSERT_EQ(granted.status, 201) << granted.body;
  const std::string consent_id(json::parse(granted.body).at("consent").at("id").as_string());

  HttpResult allowed = exchange(services_quebec_, request);
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_THAT(allowed.body, HasSubstr(R"("basis":{"type":"consent","reference":")" + consent_id));
  EXPECT_THAT(allowed.body, HasSubstr(R"("obligations":["notify_subject"])"));
  EXPECT_EQ(json::parse(allowed.body).at("record").as_object().size(), 3u);  // surname, given_names, birth_date

  ASSERT_EQ(post(services_quebec_, "/v1/consents/" + consent_id + "/revoke",
                 R"({"subject": "QC-1957-0042", "method": "web-form"})").status, 200);
  HttpResult refused = exchange(services_quebec_, request);
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr(R"("code":"consent_revoked")"));

  // The citizen's view lists the one communication, with its consent, between the two refusals.
  HttpResult accesses = get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses");
  EXPECT_THAT(accesses.body, HasSubstr(consent_id));
  const json::array listed = json::parse(accesses.body).at("accesses").as_array();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].at("reason"), "consent_missing");
  EXPECT_EQ(listed[1].at("kind"), "communication");
  EXPECT_EQ(listed[2].at("reason"), "consent_revoked");
}

TEST_P(Exchange, EachPolicyDenialIsAnsweredAndAudited) {
  start_broker();
  auto connector = etat_civil_connector();
  struct Case {
    ClientIdentity who;
    std::string body;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {etat_civil_, birth_request("QC-1"), 403, "no_rule"},
      {ramq_, birth_request("QC-1", "marketing"), 403, "purpose_not_allowed"},
      {ramq_, R"({"subject": "QC-1", "provider": "etat-civil", "category": "identity.dreams", "purpose": "x"})", 400,
       "unknown_category"},
      {ramq_, birth_request("QC-1", "health_insurance_registration", R"(, "fields": ["shoe_size"])"), 400, "unknown_field"},
  };
  for (const auto& c : cases) {
    HttpResult result = exchange(c.who, c.body);
    EXPECT_EQ(result.status, c.status) << c.body << " → " << result.body;
    EXPECT_THAT(result.body, HasSubstr(std::string(R"("code":")") + c.code + "\"")) << result.body;
    EXPECT_THAT(result.body, HasSubstr(R"("request_id":"rq-)"));  // a broker-made id
  }
  auto entries = audit_entries();
  ASSERT_EQ(entries.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(entries[i].decision, audit::Decision::deny);
    EXPECT_EQ(entries[i].reason, cases[i].code);
  }
}

TEST_P(Exchange, MalformedBodiesAndImpersonationAttemptsGet400) {
  start_broker();
  EXPECT_EQ(exchange(ramq_, "{").status, 400);
  EXPECT_EQ(exchange(ramq_, R"({"subject": "QC-1"})").status, 400);
  // A body cannot name its sender: identity comes from the certificate only.
  HttpResult impersonation = exchange(ramq_, birth_request("QC-1", "health_insurance_registration", R"(, "consumer": "afe")"));
  EXPECT_EQ(impersonation.status, 400);
  EXPECT_THAT(impersonation.body, HasSubstr("unknown field 'consumer'"));
  EXPECT_EQ(exchange(ramq_, birth_request("QC-1", "health_insurance_registration", R"(, "request_id": "bad id!")")).status, 400);
  EXPECT_EQ(https_request(broker_->port(), pki_->ca(), ramq_, "GET", "/v1/exchange").status, 405);
  EXPECT_TRUE(audit_entries().empty());  // nothing attributable was asked
}

TEST_P(Exchange, ConnectorsMayOnlyServeTheirOwnCategories) {
  start_broker();
  TestConnector intruder(broker_->port(), pki_->ca(), ramq_);
  auto answer = intruder.connect({"identity.birth"});
  ASSERT_TRUE(answer.has_value()) << intruder.error();
  EXPECT_EQ(answer->at("type"), "refused");
  EXPECT_EQ(answer->at("error").at("code"), "not_category_owner");
  EXPECT_FALSE(intruder.next(2000).has_value());  // and the broker closed the connection

  TestConnector unknown(broker_->port(), pki_->ca(), etat_civil_);
  EXPECT_EQ(unknown.connect({"identity.dreams"})->at("error").at("code"), "unknown_category");
  // RAMQ's impostor connector never received the request: nobody serves the category.
  EXPECT_EQ(exchange(ramq_, birth_request("QC-1")).status, 503);
}

TEST_P(Exchange, ProviderDownSlowOrVanishing) {
  start_broker([](broker::BrokerConfig& config) { config.limits.provider_timeout = std::chrono::milliseconds(300); });
  HttpResult none = exchange(ramq_, birth_request("QC-1"));
  EXPECT_EQ(none.status, 503);
  EXPECT_THAT(none.body, HasSubstr("provider_unavailable"));

  TestConnector silent(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_EQ(silent.connect({"identity.birth"})->at("type"), "ready");
  const auto started = std::chrono::steady_clock::now();
  HttpResult slow = exchange(ramq_, birth_request("QC-2"));
  EXPECT_EQ(slow.status, 504);
  EXPECT_THAT(slow.body, HasSubstr("provider_timeout"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));

  // The connector vanishes while a request is in flight: the consumer learns at once.
  auto pending = std::async(std::launch::async, [&] { return exchange(ramq_, birth_request("QC-3")); });
  ASSERT_TRUE(silent.next().has_value());  // the late answer to QC-2's request, or QC-3's request
  silent.drop();
  HttpResult dropped = pending.get();
  EXPECT_TRUE(dropped.status == 503 || dropped.status == 504) << dropped.body;
}

TEST_P(Exchange, DisconnectFailsRequestsInFlightFast) {
  start_broker([](broker::BrokerConfig& config) { config.limits.provider_timeout = std::chrono::seconds(20); });
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_EQ(connector.connect({"identity.birth"})->at("type"), "ready");
  auto pending = std::async(std::launch::async, [&] { return exchange(ramq_, birth_request("QC-3")); });
  auto request = connector.next();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->at("type"), "request");
  EXPECT_EQ(request->at("subject"), "QC-3");
  EXPECT_EQ(request->at("consumer"), "ramq");
  const auto dropped_at = std::chrono::steady_clock::now();
  connector.drop();
  HttpResult result = pending.get();
  EXPECT_EQ(result.status, 503) << result.body;
  EXPECT_THAT(result.body, HasSubstr("provider_unavailable"));
  EXPECT_LT(std::chrono::steady_clock::now() - dropped_at, std::chrono::seconds(5));  // not the 20 s timeout
}

TEST_P(Exchange, MalformedProviderAnswersAreProviderErrors) {
  start_broker([](broker::BrokerConfig& config) { config.limits.provider_timeout = std::chrono::milliseconds(500); });
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_EQ(connector.connect({"identity.birth"})->at("type"), "ready");
  int n = 0;
  connector.serve([&n](const json::object& request) -> std::string {
    const std::string id = json::serialize(request.at("id"));
    switch (n++) {
      case 0: return R"({"type":"response","id":)" + id + R"(,"record":[1,2,3]})";
      case 1: return R"({"type":"response","id":)" + id + R"(,"record":{"surname":{"nested":true}}})";
      case 2: return R"({"type":"response","id":)" + id + R"(,"error":{"code":"record_not_found"}})";
      case 3: return R"({"type":"response","id":)" + id + R"(,"error":{"code":"database_on_fire"}})";
      default: return "this is not JSON";
    }
  });
  const std::vector<std::pair<int, const char*>> expected = {
      {502, "provider_error"}, {502, "provider_error"}, {404, "record_not_found"}, {502, "provider_error"},
      {504, "provider_timeout"}};
  for (const auto& [status, code] : expected) {
    HttpResult result = exchange(ramq_, birth_request("QC-1"));
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_THAT(result.body, HasSubstr(code));
  }
}

TEST_P(Exchange, RetryWithTheSameRequestIdGetsTheSameOutcome) {
  start_broker();
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_EQ(connector.connect({"identity.birth"})->at("type"), "ready");
  std::atomic<int> asked{0};
  connector.serve([&asked](const json::object& request) {
    ++asked;
    return record_response(request, full_birth_record(request));
  });
  const std::string body = birth_request("QC-1", "health_insurance_registration", R"(, "request_id": "rq-retry-7")");
  HttpResult first = exchange(ramq_, body);
  HttpResult second = exchange(ramq_, body);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(asked.load(), 1);
  EXPECT_EQ(audit_entries().size(), 1u);
  // The same id from another consumer is another request.
  EXPECT_EQ(exchange(services_quebec_, birth_request("QC-1", "identity_verification", R"(, "request_id": "rq-retry-7")")).status, 403);
}

TEST_P(Exchange, ABodyWithADuplicateKeyIsRefusedNotReadEitherWay) {
  start_broker();
  auto connector = etat_civil_connector();
  // Read first-wins this asks for marketing (refused), last-wins for a lawful purpose: a body two
  // readers can take differently is refused, naming the key, and decides nothing.
  HttpResult twice = exchange(ramq_, R"({"subject": "QC-1957-0042", "provider": "etat-civil", "category": "identity.birth",
      "purpose": "marketing", "purpose": "health_insurance_registration"})");
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_THAT(twice.body, HasSubstr(R"("code":"malformed_request")"));
  EXPECT_THAT(twice.body, HasSubstr("duplicate key 'purpose'"));
  EXPECT_TRUE(audit_entries().empty());
}

TEST_P(Exchange, RateLimitFromTheRule) {
  TempDir config;
  std::ifstream shipped(PSE_SOURCE_DIR "/config/policies.yaml");
  std::string policies((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
  policies.replace(policies.find("rate_limit: {requests: 6000, per: hour}"), 39, "rate_limit: {requests: 3, per: hour}");
  const auto file = config.write("policies.yaml", policies);
  start_broker([&](broker::BrokerConfig& c) { c.policies_file = file; });
  auto connector = etat_civil_connector();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(exchange(ramq_, birth_request("QC-" + std::to_string(i))).status, 200);
  HttpResult limited = exchange(ramq_, birth_request("QC-9"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_THAT(limited.body, HasSubstr("rate_limited"));
}

TEST_P(Exchange, HundredsOfParallelExchangesDoNotCrossTalk) {
  start_broker();
  auto first = etat_civil_connector();
  auto second = etat_civil_connector();  // two connections of one provider share the load
  std::atomic<int> ok{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> consumers;
  for (int t = 0; t < 8; ++t) {
    consumers.emplace_back([&, t] {
      TlsClient client(broker_->port(), pki_->ca(), ramq_);
      if (!client.connect()) return;
      for (int i = 0; i < 30; ++i) {
        const std::string subject = "QC-" + std::to_string(t) + "-" + std::to_string(i);
        HttpResult result = client.request("POST", "/v1/exchange", birth_request(subject));
        if (result.status != 200) continue;
        ++ok;
        // The provider puts the subject it was asked about in given_names: each answer must be
        // about this request's subject, whichever connection and thread carried it.
        if (result.body.find(R"("given_names":")" + subject + "\"") == std::string::npos) ++wrong;
      }
    });
  }
  for (auto& consumer : consumers) consumer.join();
  EXPECT_EQ(ok.load(), 240);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(audit_entries().size(), 240u);
}

// A connector whose hello says "batch" may receive several requests in a frame and answer
// several in one, a message per line; the answers reach their consumers as if sent alone.
TEST_P(Exchange, AConnectorThatSaysBatchExchangesFramesOfSeveralMessages) {
  start_broker();
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  auto ready = connector.connect_with(json::object{{"type", "hello"}, {"serves", {"identity.birth"}}, {"batch", true}});
  ASSERT_TRUE(ready) << connector.error();
  ASSERT_EQ(ready->at("type"), "ready");
  EXPECT_EQ(ready->at("batch"), true);

  constexpr int kExchanges = 20;
  std::vector<std::future<HttpResult>> pending;
  for (int i = 0; i < kExchanges; ++i) {
    pending.push_back(std::async(std::launch::async, [this, i] { return exchange(ramq_, birth_request("QC-B-" + std::to_string(i))); }));
  }
  std::vector<json::object> requests;
  while (requests.size() < kExchanges) {
    auto frame = connector.next_frame();
    ASSERT_TRUE(frame) << connector.error();
    std::string_view rest = *frame;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\n');
      requests.push_back(json::parse(rest.substr(0, end)).as_object());
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  ASSERT_EQ(requests.size(), std::size_t{kExchanges});
  std::string answers;
  for (const auto& request : requests) {
    if (!answers.empty()) answers += '\n';
    answers += record_response(request, full_birth_record(request));
  }
  connector.send(answers);
  for (int i = 0; i < kExchanges; ++i) {
    HttpResult result = pending[static_cast<std::size_t>(i)].get();
    EXPECT_EQ(result.status, 200) << result.body;
    EXPECT_THAT(result.body, HasSubstr(R"("given_names":"QC-B-)" + std::to_string(i) + "\""));
  }

  TestConnector plain(broker_->port(), pki_->ca(), etat_civil_);
  auto plain_ready = plain.connect({"identity.birth"});
  ASSERT_TRUE(plain_ready) << plain.error();
  EXPECT_FALSE(plain_ready->contains("batch"));  // a connector that did not ask keeps one message per frame
}

TEST_P(Exchange, DrainAnswersRequestsInFlight) {
  start_broker();
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_EQ(connector.connect({"identity.birth"})->at("type"), "ready");
  std::promise<void> arrived;
  connector.serve([&arrived](const json::object& request) {
    arrived.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // still working when the drain starts
    return record_response(request, full_birth_record(request));
  });
  auto pending = std::async(std::launch::async, [&] { return exchange(ramq_, birth_request("QC-1")); });
  // The drain starts once the request is in flight (not after a fixed sleep: a handshake under
  // a sanitizer on a busy machine can take longer than any sleep we would pick).
  arrived.get_future().wait();
  broker_->request_drain();
  EXPECT_EQ(pending.get().status, 200);
  broker_->wait();
}

// What a PostgreSQL restart or failover does to a running broker: every answer that needs a
// durable entry is refused (503) and /readyz says so, until the database is back — then the
// broker serves again by itself.
class ExchangeOnPostgresql : public Exchange {};
INSTANTIATE_TEST_SUITE_P(Store, ExchangeOnPostgresql, ::testing::Values(Backend::postgresql), backend_name);

TEST_P(ExchangeOnPostgresql, LosingTheDatabaseRefusesThenServesAgainWithoutARestart) {
  start_broker();
  auto connector = etat_civil_connector();
  const std::string request = birth_request("QC-1957-0042", "health_insurance_registration");
  ASSERT_EQ(exchange(ramq_, request).status, 200);

  auto admin = PgConnection::connect(*postgres_);
  ASSERT_TRUE(admin) << admin.error().message;
  auto ended = admin->query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = $1 AND pid <> pg_backend_pid()",
                            PgParams().text(postgres_->conninfo.substr(postgres_->conninfo.rfind('=') + 1)));
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_GT(ended->integer(0, 0), 0);

  HttpResult refused = exchange(ramq_, request);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("unavailable"));
  // Back by itself: the audit writer commits again within its retry interval.
  bool ready = false;
  for (int i = 0; i < 200 && !ready; ++i) {
    ready = http_get(broker_->admin_port(), "/readyz").status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(ready);
  EXPECT_EQ(exchange(ramq_, request).status, 200);
}

}  // namespace
}  // namespace pse::testing

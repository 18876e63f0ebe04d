// The consent registry over the wire: a real broker, real TLS, a real SQLite file.
#include "broker_fixture.hpp"
#include "pse_audit_runner.hpp"

#include "audit/audit_keys.hpp"
#include "audit/audit_log.hpp"
#include "base/sha256.hpp"
#include "audit/registry_read.hpp"
#include "audit/pg_audit_store.hpp"
#include "broker/consent/receipt.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

constexpr const char* kGrant = R"({
  "subject": "QC-1957-0042",
  "provider": "etat-civil",
  "consumer": "retraite-quebec",
  "categories": ["identity.birth"],
  "purpose": {"code": "pension.eligibility", "fr": "Vérifier l'admissibilité à la rente", "en": "Check pension eligibility"},
  "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
  "collection_method": "web-form",
  "expires_at": "EXPIRES"
})";

class ConsentApi : public BrokerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  ConsentApi() { backend_ = GetParam(); }


  // YYYY-MM-DD, `days` from today (UTC).
  static std::string date_in(int days) {
    const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) + std::chrono::days(days);
    return policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(day)).substr(0, 10);
  }

  // A grant body expiring `days` from today.
  static std::string body_expiring_in(int days) {
    std::string body = kGrant;
    body.replace(body.find("EXPIRES"), 7, date_in(days));
    return body;
  }

  json::object grant_ok() {
    HttpResult result = post(services_quebec_, "/v1/consents", body_expiring_in(90));
    EXPECT_EQ(result.status, 201) << result.body;
    return json::parse(result.body).as_object();
  }

  audit::PublicKey public_key() const {
    return audit::load_public_key(dir_->path() / "keys" / audit::public_key_file);
  }


  // Runs pse-audit on the broker's log; returns its standard output ("" when it failed).
  std::string pse_audit(const std::string& arguments) const {
    return run_pse_audit_on(arguments, data_dir_, postgres_, dir_->path() / "keys", dir_->path());
  }
};

// Each test runs on the embedded SQLite store and on PostgreSQL.
INSTANTIATE_TEST_SUITE_P(Stores, ConsentApi, kEachBackend, backend_name);

TEST_P(ConsentApi, OnlyConsentAuthoritiesMayUseTheRegistry) {
  start_broker();
  HttpResult refused = post(ramq_, "/v1/consents", body_expiring_in(90));
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr(R"("code":"not_consent_authority")"));
  EXPECT_EQ(get(etat_civil_, "/v1/subjects/QC-1957-0042/consents").status, 403);
}

TEST_P(ConsentApi, GrantReadListAndRevoke) {
  start_broker();
  json::object granted = grant_ok();
  const std::string id(granted.at("consent").at("id").as_string());
  EXPECT_EQ(granted.at("consent").at("state"), "given");
  EXPECT_EQ(granted.at("consent").at("recorded_by"), "services-quebec");
  auto payload = consent::verify_receipt(std::string(granted.at("receipt").as_string()), public_key());
  ASSERT_TRUE(payload.has_value());
  EXPECT_THAT(*payload, HasSubstr(R"("piiPrincipalId":"QC-1957-0042")"));

  HttpResult one = get(services_quebec_, "/v1/consents/" + id);
  EXPECT_EQ(one.status, 200);
  EXPECT_THAT(one.body, HasSubstr(id));
  HttpResult listed = get(services_quebec_, "/v1/consents?subject=QC-1957-0042");
  EXPECT_THAT(listed.body, HasSubstr(id));
  HttpResult citizen_view = get(services_quebec_, "/v1/subjects/QC-1957-0042/consents");
  EXPECT_EQ(citizen_view.status, 200);
  EXPECT_THAT(citizen_view.body, HasSubstr(id));
  EXPECT_EQ(get(services_quebec_, "/v1/subjects/QC-OTHER/consents").body, R"({"consents":[]})");

  HttpResult revoked = post(services_quebec_, "/v1/consents/" + id + "/revoke",
                            R"({"subject": "QC-1957-0042", "method": "web-form"})");
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_THAT(revoked.body, HasSubstr(R"("state":"revoked")"));
  HttpResult twice = post(services_quebec_, "/v1/consents/" + id + "/revoke",
                          R"({"subject": "QC-1957-0042", "method": "web-form"})");
  EXPECT_EQ(twice.status, 409);
  EXPECT_THAT(twice.body, HasSubstr("record_not_current"));
  EXPECT_EQ(get(services_quebec_, "/v1/consents/cns_00000000000000000000000000000000").status, 404);
}

TEST_P(ConsentApi, TheReceiptNamesTheObligationsOfTheRulesTheConsentFallsUnder) {
  start_broker();
  // services-quebec-birth-verification: on consent, with notify_subject.
  std::string body = body_expiring_in(90);
  body.replace(body.find("retraite-quebec"), 15, "services-quebec");
  body.replace(body.find("pension.eligibility"), 19, "identity_verification");
  HttpResult granted = post(services_quebec_, "/v1/consents", body);
  ASSERT_EQ(granted.status, 201) << granted.body;
  auto payload = consent::verify_receipt(std::string(json::parse(granted.body).at("receipt").as_string()), public_key());
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(json::parse(*payload).at("pse").at("obligations"),
            (json::array{json::object{{"code", "notify_subject"},
                                      {"fr", "Un avis de cette communication vous est envoyé, selon vos préférences d’avis."},
                                      {"en", "A notice of this communication is sent to you, as your notice preferences allow."}}}));

  // A consent no rule gives obligations to (the grant's own) has none in its receipt.
  auto plain = consent::verify_receipt(std::string(grant_ok().at("receipt").as_string()), public_key());
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(json::parse(*plain).at("pse").as_object().contains("obligations"));
}

TEST_P(ConsentApi, AmendmentReturnsANewVersion) {
  start_broker();
  const std::string id(grant_ok().at("consent").at("id").as_string());
  HttpResult amended = post(services_quebec_, "/v1/consents/" + id + "/amend", body_expiring_in(30));
  ASSERT_EQ(amended.status, 201) << amended.body;
  EXPECT_THAT(amended.body, HasSubstr(R"("previous_id":")" + id));
  EXPECT_THAT(get(services_quebec_, "/v1/consents/" + id).body, HasSubstr(R"("state":"superseded")"));
}

TEST_P(ConsentApi, MalformedRequestsGet400WithAReason) {
  start_broker();
  auto expect_400 = [&](const std::string& body, const char* message) {
    HttpResult result = post(services_quebec_, "/v1/consents", body);
    EXPECT_EQ(result.status, 400) << body;
    EXPECT_THAT(result.body, HasSubstr(R"("code":"malformed_request")"));
    EXPECT_THAT(result.body, HasSubstr(message)) << result.body;
  };
  const std::string good = body_expiring_in(90);
  expect_400("{not json", "not valid JSON");
  expect_400("[1,2]", "must be a JSON object");
  expect_400(good.substr(0, good.size() - 1) + R"(, "colour": "red"})", "unknown field 'colour'");
  std::string no_purpose = good;
  no_purpose.erase(no_purpose.find(R"(  "purpose")"), no_purpose.find(R"(  "notice")") - no_purpose.find(R"(  "purpose")"));
  expect_400(no_purpose, "purpose is required");
  expect_400(body_expiring_in(-1), "expires_at must be in the future");
  expect_400(body_expiring_in(500), "beyond the maximum validity");
  std::string bad_date = kGrant;
  bad_date.replace(bad_date.find("EXPIRES"), 7, "next tuesday");
  expect_400(bad_date, "expires_at must be a UTC date");
  std::string wrong_type = good;
  wrong_type.replace(wrong_type.find(R"(["identity.birth"])"), 18, R"("identity.birth")");
  expect_400(wrong_type, "categories must be a list of strings");
  std::string unknown_category = good;
  unknown_category.replace(unknown_category.find("identity.birth"), 14, "identity.dreams");
  expect_400(unknown_category, "category 'identity.dreams' is not in the classification");
  std::string purpose_extra = good;
  purpose_extra.replace(purpose_extra.find(R"("code")"), 6, R"("kode")");
  expect_400(purpose_extra, "purpose.code is required");
}

TEST_P(ConsentApi, MandateGrantAndRevoke) {
  start_broker();
  HttpResult granted = post(services_quebec_, "/v1/mandates",
                            R"({"mandator": "QC-1957-0042", "mandatary": "QC-AIDANT-7", "categories": ["identity.birth"],
                                "purposes": ["pension.eligibility"], "valid_until": ")" +
                                date_in(60) + R"("})");
  ASSERT_EQ(granted.status, 201) << granted.body;
  const std::string id(json::parse(granted.body).at("mandate").at("id").as_string());
  EXPECT_THAT(granted.body, HasSubstr(R"("state":"active")"));

  HttpResult wrong_mandator = post(services_quebec_, "/v1/mandates/" + id + "/revoke",
                                   R"({"mandator": "QC-SOMEONE", "method": "in-person"})");
  EXPECT_EQ(wrong_mandator.status, 404);
  HttpResult revoked = post(services_quebec_, "/v1/mandates/" + id + "/revoke",
                            R"({"mandator": "QC-1957-0042", "method": "in-person"})");
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_THAT(revoked.body, HasSubstr(R"("state":"revoked")"));
}

TEST_P(ConsentApi, WrongMethodsAndBadTargets) {
  start_broker();
  EXPECT_EQ(https_request(broker_->port(), pki_->ca(), services_quebec_, "DELETE", "/v1/consents").status, 405);
  EXPECT_EQ(get(services_quebec_, "/v1/consents").status, 400);  // subject is required
  EXPECT_EQ(get(services_quebec_, "/v1/consents/%zz").status, 400);
  EXPECT_EQ(get(services_quebec_, "/v1/mandates/x/unknown").status, 404);
}

TEST_P(ConsentApi, SubjectIdsArePercentDecoded) {
  start_broker();
  std::string body = body_expiring_in(90);
  body.replace(body.find("QC-1957-0042"), 12, "QC 1957/42");
  HttpResult refused = post(services_quebec_, "/v1/consents", body);  // spaces are not printable ids
  EXPECT_EQ(refused.status, 400);
  ASSERT_EQ(post(services_quebec_, "/v1/consents", body_expiring_in(90)).status, 201);
  EXPECT_THAT(get(services_quebec_, "/v1/consents?subject=QC%2D1957%2D0042").body, HasSubstr("cns_"));
}

TEST_P(ConsentApi, EveryReadOfTheRegistryIsAuditedAndShownToTheCitizen) {
  start_broker();
  const std::string id(grant_ok().at("consent").at("id").as_string());
  ASSERT_TRUE(audit_entries().empty());  // a grant is in the registry, with its receipt

  const HttpResult one = get(services_quebec_, "/v1/consents/" + id);
  const HttpResult listed = get(services_quebec_, "/v1/consents?subject=QC-1957-0042");
  const HttpResult citizen_view = get(services_quebec_, "/v1/subjects/QC-1957-0042/consents");
  const HttpResult history = get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses");
  for (const HttpResult* read : {&one, &listed, &citizen_view, &history}) ASSERT_EQ(read->status, 200) << read->body;
  // Reads that disclose nothing are not reads of anyone's record.
  EXPECT_EQ(get(services_quebec_, "/v1/consents/cns_00000000000000000000000000000000").status, 404);
  EXPECT_EQ(get(ramq_, "/v1/consents?subject=QC-1957-0042").status, 403);

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 4U);
  const auto subject = audit::load_subject_hash_key(dir_->path() / "keys" / audit::subject_key_file).hash("QC-1957-0042");
  const std::vector<std::string> purposes = {"read_consent", "read_consents", "read_consents", "read_accesses"};
  const std::vector<const HttpResult*> answers = {&one, &listed, &citizen_view, &history};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const audit::AuditEntry& entry = entries[i];
    EXPECT_EQ(entry.category, audit::kRegistryCategory);
    EXPECT_EQ(entry.consumer, "services-quebec");  // who read
    EXPECT_EQ(entry.provider, "pse");
    EXPECT_EQ(entry.purpose, purposes[i]);
    EXPECT_EQ(entry.decision, audit::Decision::allow);
    EXPECT_EQ(entry.subject_hash, subject) << "read by id: the consent's own subject";
    EXPECT_EQ(entry.payload_hash, pse::Sha256().update(answers[i]->body).finish()) << "what was sent";
    if (i < 3) {
      EXPECT_EQ(entry.permitted_fields, std::vector<std::string>{id});
    }
  }

  // The citizen's register shows the reads, told apart from communications.
  const HttpResult again = get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses");
  const auto accesses = json::parse(again.body).at("accesses").as_array();
  ASSERT_EQ(accesses.size(), 4U);
  for (const auto& access : accesses) {
    EXPECT_EQ(access.at("kind"), "registry_read");
    EXPECT_EQ(access.at("recipient"), "services-quebec");
  }
  EXPECT_EQ(accesses[0].at("purpose"), "read_consent");

  // The privacy officer sees them in pse-audit query and in the citizen's report.
  const std::string query = pse_audit("query --category pse:consent-registry --subject QC-1957-0042");
  EXPECT_THAT(query, HasSubstr("(5 entries)"));
  EXPECT_THAT(query, HasSubstr("read_accesses"));
  const std::string report = pse_audit("report --subject QC-1957-0042");
  EXPECT_THAT(report, HasSubstr("Aucune communication de vos renseignements personnels"));
  EXPECT_THAT(report, HasSubstr("5 consultations de vos consentements ou de ce registre par un organisme :"));
  EXPECT_THAT(report, HasSubstr("Consulté par : services-quebec"));
  EXPECT_THAT(report, HasSubstr("Objet : un de vos consentements (" + id + ")"));
  EXPECT_THAT(report, HasSubstr("Objet : ce registre des communications"));
  EXPECT_THAT(pse_audit("report --subject QC-1957-0042 --lang en"), HasSubstr("Consulted by: services-quebec"));
  EXPECT_NE(pse_audit("verify"), "");
}

// Writes audit entries as the exchange path does, then reads them back through the broker.
TEST_P(ConsentApi, AccessesListWhatWasCommunicatedAboutTheSubject) {
  // The log the broker will open, written first.
  const auto data_dir = dir_->path() / ("accesses-data-" + backend_name({GetParam(), 0}));
  std::filesystem::create_directories(data_dir);
  const audit::AuditConfig config{data_dir / "audit.db", dir_->path() / "keys"};
  std::optional<PgConnectOptions> schema;
  if (GetParam() == Backend::postgresql) schema = fresh_pg_schema();
  {
    auto log = schema ? audit::AuditLog::open(config, audit::PgAuditStore::open(*schema).value(),
                                              audit::PgAuditStore::open(*schema).value())
                      : audit::AuditLog::open(config);
    auto record = [](const char* subject, audit::Decision decision, const char* consumer) {
      audit::AuditRecord r;
      r.request_id = std::string("req-") + consumer;
      r.consumer = consumer;
      r.provider = "etat-civil";
      r.category = "identity.birth";
      r.purpose = "pension.eligibility";
      r.decision = decision;
      r.reason = decision == audit::Decision::allow ? "" : "consent_missing";
      r.basis_type = decision == audit::Decision::allow ? audit::BasisType::consent : audit::BasisType::none;
      r.basis = decision == audit::Decision::allow ? "cns_0123456789abcdef0123456789abcdef" : "";
      r.permitted_fields = {"birth_date", "birth_place"};
      if (decision == audit::Decision::allow) r.obligations = {"no_onward_disclosure"};
      r.subject_id = subject;
      return r;
    };
    ASSERT_TRUE(log->append(record("QC-1957-0042", audit::Decision::allow, "retraite-quebec")).get());
    ASSERT_TRUE(log->append(record("QC-1957-0042", audit::Decision::deny, "saaq")).get());
    ASSERT_TRUE(log->append(record("QC-OTHER", audit::Decision::allow, "ramq")).get());
    log->close();
  }
  start_broker([&](broker::BrokerConfig& broker_config) {
    broker_config.store.data_dir = data_dir;
    if (schema) broker_config.store.conninfo = schema->conninfo;
  });

  HttpResult result = get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses");
  ASSERT_EQ(result.status, 200) << result.body;
  const auto accesses = json::parse(result.body).at("accesses").as_array();
  ASSERT_EQ(accesses.size(), 2u);  // the other citizen's record is not listed
  EXPECT_EQ(accesses[0].at("kind"), "communication");
  EXPECT_EQ(accesses[0].at("recipient"), "retraite-quebec");
  EXPECT_EQ(accesses[0].at("basis").at("type"), "consent");
  EXPECT_THAT(result.body, HasSubstr(R"("fields":["birth_date","birth_place"])"));
  const auto obligations = accesses[0].at("obligations").as_array();
  ASSERT_EQ(obligations.size(), 1u);
  EXPECT_EQ(obligations[0].at("code"), "no_onward_disclosure");
  EXPECT_EQ(obligations[0].at("fr"), "L’organisme ne peut communiquer ces renseignements à personne d’autre.");
  EXPECT_EQ(obligations[0].at("en"), "The body may not pass this information on.");
  // The refusal, with its reason and the fields its entry records; nothing was communicated.
  EXPECT_EQ(accesses[1].at("kind"), "refusal");
  EXPECT_EQ(accesses[1].at("recipient"), "saaq");
  EXPECT_EQ(accesses[1].at("reason"), "consent_missing");
  EXPECT_EQ(accesses[1].at("fields"), (json::array{"birth_date", "birth_place"}));
  EXPECT_EQ(accesses[1].at("request_id"), "req-saaq");
  EXPECT_EQ(accesses[1].at("audit_seq"), 1);
  EXPECT_FALSE(accesses[1].as_object().contains("basis"));

  EXPECT_EQ(get(ramq_, "/v1/subjects/QC-1957-0042/accesses").status, 403);
  EXPECT_EQ(get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses?limit=0").status, 400);
  EXPECT_EQ(get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses?colour=red").status, 400);
  EXPECT_EQ(json::parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses?since=2999-01-01").body)
                .at("accesses").as_array().size(),
            0u);
}

}  // namespace
}  // namespace pse::testing

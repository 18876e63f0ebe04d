// GET /v1/subjects/{subject}/mandates over the wire: the mandates a citizen gave and received,
// their state at read time, and the read audited before it is answered.
#include "citizen_api_fixture.hpp"
#include "pse_audit_runner.hpp"

#include "audit/registry_read.hpp"
#include "base/sha256.hpp"

#include <gmock/gmock.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

class SubjectMandates : public CitizenApi {};

INSTANTIATE_TEST_SUITE_P(Stores, SubjectMandates, kEachBackend, backend_name);

TEST_P(SubjectMandates, TheMandatesTheCitizenGaveAndReceived) {
  start_broker();
  const std::string given = mandate("QC-1957-0042", "QC-AIDANT-7");
  const std::string received = mandate("QC-PARENT-1", "QC-1957-0042", date_in(30), R"(["identity.birth", "identity.address"])",
                                       R"(["pension.eligibility", "address_update"])");
  mandate("QC-OTHER", "QC-AIDANT-7");  // neither given nor received by QC-1957-0042
  const HttpResult revoked = post(services_quebec_, "/v1/mandates/" + received + "/revoke",
                                  R"({"mandator": "QC-PARENT-1", "method": "in-person"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_THAT(revoked.body, HasSubstr(R"("state":"revoked")"));

  const HttpResult listed = get(services_quebec_, "/v1/subjects/QC-1957-0042/mandates");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::object body = parse(listed);
  ASSERT_EQ(body.at("given").as_array().size(), 1u) << listed.body;
  ASSERT_EQ(body.at("received").as_array().size(), 1u) << listed.body;

  const json::object& out = body.at("given").at(0).as_object();
  EXPECT_EQ(text(out.at("id")), given);
  EXPECT_EQ(out.at("mandator"), "QC-1957-0042");
  EXPECT_TRUE(out.at("mandatary").is_null()) << "the registry keeps no one's id in clear";
  EXPECT_EQ(out.at("categories"), (json::array{"identity.birth"}));
  EXPECT_EQ(out.at("purposes"), (json::array{"pension.eligibility"}));
  EXPECT_EQ(out.at("state"), "active");
  EXPECT_EQ(text(out.at("valid_until")).substr(0, 10), date_in(60));
  EXPECT_TRUE(out.contains("valid_from"));
  EXPECT_EQ(out.at("granted_at"), out.at("valid_from")) << "valid_from defaults to the time of the grant";
  EXPECT_EQ(out.at("recorded_by"), "services-quebec");
  EXPECT_FALSE(out.contains("revoked_at"));

  const json::object& in = body.at("received").at(0).as_object();
  EXPECT_EQ(text(in.at("id")), received);
  EXPECT_TRUE(in.at("mandator").is_null());
  EXPECT_EQ(in.at("mandatary"), "QC-1957-0042");
  EXPECT_EQ(in.at("state"), "revoked");
  EXPECT_TRUE(in.contains("revoked_at"));
  EXPECT_EQ(in.at("revocation_method"), "in-person");
  EXPECT_EQ(in.at("purposes"), (json::array{"pension.eligibility", "address_update"}));

  // A mandate that starts later is listed as pending until then.
  const HttpResult later = post(services_quebec_, "/v1/mandates",
                                R"({"mandator": "QC-1957-0042", "mandatary": "QC-AIDANT-8", "categories": ["identity.birth"],
                                    "purposes": ["pension.eligibility"], "valid_from": ")" +
                                    date_in(10) + R"(", "valid_until": ")" + date_in(40) + R"("})");
  ASSERT_EQ(later.status, 201) << later.body;
  EXPECT_THAT(later.body, HasSubstr(R"("state":"pending")"));
  const json::array now_given = parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/mandates")).at("given").as_array();
  ASSERT_EQ(now_given.size(), 2u);
  EXPECT_EQ(now_given[1].at("state"), "pending");

  EXPECT_EQ(get(services_quebec_, "/v1/subjects/QC-NOBODY/mandates").body, R"({"given":[],"received":[]})");
}

TEST_P(SubjectMandates, TheReadIsAuditedBeforeItIsAnsweredAndShownToTheCitizen) {
  start_broker();
  const std::string given = mandate("QC-1957-0042", "QC-AIDANT-7");
  ASSERT_TRUE(audit_entries().empty());  // recording a mandate is not a read

  const HttpResult listed = get(services_quebec_, "/v1/subjects/QC-1957-0042/mandates");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  const audit::AuditEntry& entry = entries[0];
  EXPECT_EQ(entry.category, audit::kRegistryCategory);
  EXPECT_EQ(entry.purpose, "read_mandates");
  EXPECT_EQ(entry.consumer, "services-quebec");
  EXPECT_EQ(entry.provider, "pse");
  EXPECT_EQ(entry.decision, audit::Decision::allow);
  EXPECT_EQ(entry.subject_hash, subject_hash("QC-1957-0042"));
  EXPECT_EQ(entry.permitted_fields, std::vector<std::string>{given});
  EXPECT_EQ(entry.payload_hash, pse::Sha256().update(listed.body).finish()) << "what was sent";
  EXPECT_EQ(audit::registry_read_of(entry), audit::RegistryRead::mandates);

  const json::array accesses = parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses")).at("accesses").as_array();
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_EQ(accesses[0].at("kind"), "registry_read");
  EXPECT_EQ(accesses[0].at("purpose"), "read_mandates");
  EXPECT_EQ(accesses[0].at("fields"), (json::array{json::string(given)}));

  const std::string report = run_pse_audit_on("report --subject QC-1957-0042", data_dir_, postgres_,
                                              dir_->path() / "keys", dir_->path());
  EXPECT_THAT(report, HasSubstr("Objet : la liste des mandats que vous avez donnés ou reçus (" + given + ")"));
}

TEST_P(SubjectMandates, RefusalsDiscloseNothingAndAreNotAudited) {
  start_broker();
  mandate("QC-1957-0042", "QC-AIDANT-7");
  const HttpResult not_authority = get(ramq_, "/v1/subjects/QC-1957-0042/mandates");
  EXPECT_EQ(not_authority.status, 403);
  EXPECT_THAT(not_authority.body, HasSubstr("not_consent_authority"));
  EXPECT_EQ(post(services_quebec_, "/v1/subjects/QC-1957-0042/mandates", "{}").status, 405);
  const HttpResult query = get(services_quebec_, "/v1/subjects/QC-1957-0042/mandates?state=active");
  EXPECT_EQ(query.status, 400);
  EXPECT_THAT(query.body, HasSubstr("unknown query parameter 'state'"));
  EXPECT_TRUE(audit_entries().empty());
}

}  // namespace
}  // namespace pse::testing

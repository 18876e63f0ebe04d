// The citizen's register lists the requests about them that were refused, from the audit
// entries the exchange path writes: who asked, what for, and why it was refused.
#include "citizen_api_fixture.hpp"

#include "audit/audit_log.hpp"

#include <gmock/gmock.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

class AccessRefusals : public CitizenApi {
 protected:
  HttpResult ask_birth_record(const ClientIdentity& who, const std::string& subject, const std::string& purpose,
                              const std::string& request_id) {
    return post(who, "/v1/exchange",
                R"({"subject": ")" + subject + R"(", "provider": "etat-civil", "category": "identity.birth",
                    "purpose": ")" + purpose + R"(", "request_id": ")" + request_id + R"("})");
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, AccessRefusals, kEachBackend, backend_name);

TEST_P(AccessRefusals, ARefusedExchangeIsInTheRegisterOfItsSubjectOnly) {
  start_broker();
  // services-quebec-birth-verification needs the citizen's consent, and there is none.
  const HttpResult refused = ask_birth_record(services_quebec_, "QC-1957-0042", "identity_verification", "rq-refused-1");
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr(R"("code":"consent_missing")"));
  // No rule lets État civil ask for birth records: refused too, about someone else.
  ASSERT_EQ(ask_birth_record(etat_civil_, "QC-OTHER", "identity_verification", "rq-refused-2").status, 403);

  // The refusal's entry carries the subject's keyed hash, like any entry, and nothing in clear.
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].decision, audit::Decision::deny);
  EXPECT_EQ(entries[0].subject_hash, subject_hash("QC-1957-0042"));
  EXPECT_EQ(entries[1].subject_hash, subject_hash("QC-OTHER"));

  const HttpResult listed = get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::array accesses = parse(listed).at("accesses").as_array();
  ASSERT_EQ(accesses.size(), 1u) << listed.body;  // its own read is audited after it is answered
  const json::object& refusal = accesses[0].as_object();
  EXPECT_EQ(refusal.at("kind"), "refusal");
  EXPECT_EQ(refusal.at("recipient"), "services-quebec") << "who asked";
  EXPECT_EQ(refusal.at("provider"), "etat-civil");
  EXPECT_EQ(refusal.at("category"), "identity.birth");
  EXPECT_EQ(refusal.at("purpose"), "identity_verification");
  EXPECT_EQ(refusal.at("reason"), "consent_missing");
  EXPECT_EQ(refusal.at("fields"), json::array()) << "the exchange path records no fields for a refusal";
  EXPECT_EQ(refusal.at("request_id"), "rq-refused-1");
  EXPECT_EQ(refusal.at("audit_seq"), 0);
  EXPECT_TRUE(refusal.contains("time"));
  EXPECT_FALSE(refusal.contains("basis")) << "nothing was communicated, on no basis";
  EXPECT_FALSE(refusal.contains("obligations"));

  // The other citizen sees their own refusal (no rule), and the first read of the register.
  const json::array other = parse(get(services_quebec_, "/v1/subjects/QC-OTHER/accesses")).at("accesses").as_array();
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].at("reason"), "no_rule");
  EXPECT_EQ(other[0].at("recipient"), "etat-civil");

  // The register's own reads follow, as registry reads; the period filter applies to refusals.
  const json::array again = parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses")).at("accesses").as_array();
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].at("kind"), "refusal");
  EXPECT_EQ(again[1].at("kind"), "registry_read");
  EXPECT_TRUE(parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/accesses?since=2999-01-01"))
                  .at("accesses").as_array().empty());
}

}  // namespace
}  // namespace pse::testing

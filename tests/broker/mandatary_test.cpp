// A delegate acting for a citizen over the wire: POST /v1/consents and POST
// /v1/consents/{id}/revoke with given_by {kind: mandatary, mandate_id, mandatary}, allowed only
// within a mandate in force that the citizen gave that delegate and that covers the consent;
// 403 mandate_invalid otherwise. A revocation so made says so.
#include "citizen_api_fixture.hpp"

#include "broker/consent/receipt.hpp"

#include <gmock/gmock.h>

#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

std::string by(const std::string& mandate_id, const std::string& mandatary = "QC-AIDANT-7") {
  return R"({"kind": "mandatary", "mandate_id": ")" + mandate_id + R"(", "mandatary": ")" + mandatary + R"("})";
}

std::string revoke_body(const std::string& given_by = "") {
  return R"({"subject": "QC-1957-0042", "method": "web-form")" + (given_by.empty() ? "" : ", \"given_by\": " + given_by) +
         "}";
}

class Mandatary : public CitizenApi {
 protected:
  void expect_refused(const HttpResult& result, const std::string& message) {
    EXPECT_EQ(result.status, 403) << result.body;
    EXPECT_THAT(result.body, HasSubstr(R"("code":"mandate_invalid")"));
    EXPECT_THAT(result.body, HasSubstr(message));
  }

  // A consent of QC-1957-0042's own, for `purpose`; returns its id.
  std::string own_consent(const std::string& purpose = "pension.eligibility",
                          const std::string& categories = R"(["identity.birth"])") {
    const HttpResult granted = post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", "", purpose, categories));
    EXPECT_EQ(granted.status, 201) << granted.body;
    return granted.status == 201 ? std::string(parse(granted).at("consent").at("id").as_string()) : "";
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, Mandatary, kEachBackend, backend_name);

TEST_P(Mandatary, ADelegateConsentsWithinTheMandateAndIsRefusedOutsideIt) {
  start_broker();
  const std::string id = mandate("QC-1957-0042", "QC-AIDANT-7");
  const std::string others = mandate("QC-OTHER", "QC-AIDANT-7");

  expect_refused(post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by(id, "QC-SOMEONE"))),
                 "was not given to this mandatary");
  expect_refused(post(services_quebec_, "/v1/consents",
                      grant_body("QC-1957-0042", by(id), "pension.eligibility", R"(["identity.birth", "identity.address"])")),
                 "does not cover the category 'identity.address'");
  expect_refused(post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by(id), "pension.survivor")),
                 "does not cover the purpose 'pension.survivor'");
  expect_refused(post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by(others))),
                 "is unknown or was not given by this subject");
  expect_refused(post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by("mdt_00000000000000000000000000000000"))),
                 "is unknown or was not given by this subject");
  // Naming no delegate is a malformed request.
  const HttpResult unnamed = post(services_quebec_, "/v1/consents",
                                  grant_body("QC-1957-0042", R"({"kind": "mandatary", "mandate_id": ")" + id + R"("})"));
  EXPECT_EQ(unnamed.status, 400);
  EXPECT_THAT(unnamed.body, HasSubstr("given_by.mandatary"));
  EXPECT_TRUE(parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/consents")).at("consents").as_array().empty());

  const HttpResult granted = post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by(id)));
  ASSERT_EQ(granted.status, 201) << granted.body;
  EXPECT_EQ(parse(granted).at("consent").at("given_by"), (json::object{{"kind", "mandatary"}, {"mandate_id", id}}));

  ASSERT_EQ(post(services_quebec_, "/v1/mandates/" + id + "/revoke", R"({"mandator": "QC-1957-0042", "method": "in-person"})")
                .status,
            200);
  expect_refused(post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by(id))), "was revoked on");
}

TEST_P(Mandatary, ADelegateRevokesWithinTheMandateAndTheRevocationSaysSo) {
  start_broker();
  const std::string id = mandate("QC-1957-0042", "QC-AIDANT-7");
  const std::string others = mandate("QC-OTHER", "QC-AIDANT-7");
  const std::string consent = own_consent();
  const std::string target = "/v1/consents/" + consent + "/revoke";

  expect_refused(post(services_quebec_, target, revoke_body(by(id, "QC-SOMEONE"))), "was not given to this mandatary");
  expect_refused(post(services_quebec_, target, revoke_body(by(others))), "is unknown or was not given by this subject");
  const std::string wider = own_consent("pension.eligibility", R"(["identity.birth", "identity.address"])");
  expect_refused(post(services_quebec_, "/v1/consents/" + wider + "/revoke", revoke_body(by(id))),
                 "does not cover the category 'identity.address'");
  const std::string other_purpose = own_consent("pension.survivor");
  expect_refused(post(services_quebec_, "/v1/consents/" + other_purpose + "/revoke", revoke_body(by(id))),
                 "does not cover the purpose 'pension.survivor'");
  for (const char* malformed : {R"({"kind": "guardian", "mandate_id": "x", "mandatary": "y"})",
                                R"({"kind": "mandatary", "mandatary": "QC-AIDANT-7"})",
                                R"({"kind": "mandatary", "mandate_id": "x", "mandatary": "QC AIDANT"})",
                                R"({"kind": "mandatary", "mandate_id": "x", "mandatary": "QC-AIDANT-7", "why": "y"})"}) {
    EXPECT_EQ(post(services_quebec_, target, revoke_body(malformed)).status, 400) << malformed;
  }

  const HttpResult revoked = post(services_quebec_, target, revoke_body(by(id)));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const json::object body = parse(revoked);
  EXPECT_EQ(body.at("consent").at("state"), "revoked");
  const json::object revoked_by{{"kind", "mandatary"}, {"mandate_id", id}};
  EXPECT_EQ(body.at("consent").at("revoked_by"), revoked_by);
  auto receipt = consent::verify_receipt(std::string(body.at("receipt").as_string()), public_key());
  ASSERT_TRUE(receipt.has_value());
  EXPECT_EQ(json::parse(*receipt).at("pse").at("revoked_by"), revoked_by);
  EXPECT_EQ(parse(get(services_quebec_, "/v1/consents/" + consent)).at("consent").at("revoked_by"), revoked_by);

  // The citizen's own revocation names no mandate.
  const HttpResult own = post(services_quebec_, "/v1/consents/" + wider + "/revoke", revoke_body());
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_FALSE(parse(own).at("consent").as_object().contains("revoked_by"));

  // Once the mandate is revoked, the delegate can no longer act.
  ASSERT_EQ(post(services_quebec_, "/v1/mandates/" + id + "/revoke", R"({"mandator": "QC-1957-0042", "method": "in-person"})")
                .status,
            200);
  const std::string another = own_consent();
  expect_refused(post(services_quebec_, "/v1/consents/" + another + "/revoke", revoke_body(by(id))), "was revoked on");
}

TEST_P(Mandatary, AnExpiredMandateCarriesNoAuthority) {
  start_broker();
  const auto soon = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
                    std::chrono::seconds(3);
  const std::string id = mandate("QC-1957-0042", "QC-AIDANT-7", policy::format_instant(soon));
  const std::string consent = own_consent();
  std::this_thread::sleep_until(soon + std::chrono::milliseconds(1100));  // the broker's clock counts seconds
  expect_refused(post(services_quebec_, "/v1/consents", grant_body("QC-1957-0042", by(id))), "expired on");
  expect_refused(post(services_quebec_, "/v1/consents/" + consent + "/revoke", revoke_body(by(id))), "expired on");
  const json::array given = parse(get(services_quebec_, "/v1/subjects/QC-1957-0042/mandates")).at("given").as_array();
  ASSERT_EQ(given.size(), 1u);
  EXPECT_EQ(given[0].at("state"), "expired");
}

}  // namespace
}  // namespace pse::testing

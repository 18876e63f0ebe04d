// The SDK's consent registry calls against a real broker (tests/broker's fixture): a consent
// authority grants, lists and revokes; anyone else is refused by the broker; a path outside
// the registry never leaves the client.
#include "../broker/broker_fixture.hpp"

#include "policy/instant.hpp"

#include <pse/client.hpp>

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::testing {
namespace {

namespace json = boost::json;

json::object grant_body() {
  return json::parse(R"({
    "subject": "QC-1957-0042", "provider": "etat-civil", "consumer": "retraite-quebec",
    "categories": ["identity.birth"],
    "purpose": {"code": "pension.eligibility", "fr": "Vérifier l'admissibilité", "en": "Check eligibility"},
    "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
    "collection_method": "web-form"})")
      .as_object();
}

// 90 days from now: within the registry's longest validity.
std::string in_90_days() {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return policy::format_instant(now + std::chrono::days(90));
}

class SdkRegistry : public BrokerTest {};

TEST_F(SdkRegistry, sdk_AConsentAuthorityGrantsListsAndRevokes) {
  start_broker();
  Client client(sdk_options(services_quebec_));
  EXPECT_EQ(registry_path({"subjects", "QC 1957/0042", "consents"}), "/v1/subjects/QC%201957%2F0042/consents");

  json::object body = grant_body();
  body["expires_at"] = in_90_days();
  auto granted = client.registry(RegistryMethod::post, registry_path({"consents"}), body);
  ASSERT_TRUE(granted) << granted.error().message;
  const std::string id = std::string(granted->at("consent").at("id").as_string());
  EXPECT_FALSE(granted->at("receipt").as_string().empty());

  auto listed = client.registry(RegistryMethod::get, registry_path({"subjects", "QC-1957-0042", "consents"}));
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->at("consents").as_array().size(), 1U);
  EXPECT_EQ(listed->at("consents").as_array()[0].at("id").as_string(), id);

  auto revoked = client.registry(RegistryMethod::post, registry_path({"consents", id, "revoke"}),
                                 {{"subject", "QC-1957-0042"}, {"method", "web-form"}});
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->at("consent").at("state").as_string(), "revoked");

  // Revoking again is the broker's refusal, with its reason code.
  auto again = client.registry(RegistryMethod::post, registry_path({"consents", id, "revoke"}),
                               {{"subject", "QC-1957-0042"}, {"method", "web-form"}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, Reason::record_not_current);
}

TEST_F(SdkRegistry, sdk_OthersAreRefusedAndOnlyRegistryPathsLeave) {
  start_broker();
  Client ramq(sdk_options(ramq_));
  auto refused = ramq.registry(RegistryMethod::get, registry_path({"subjects", "QC-1957-0042", "consents"}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::not_consent_authority);

  Client client(sdk_options(services_quebec_));
  for (const char* target : {"/v1/exchange", "/admin/dead-letters", "/v1/consents\r\nX-Evil: 1", "/v1/subjects/a b"}) {
    auto local = client.registry(RegistryMethod::get, target);
    ASSERT_FALSE(local) << target;
    EXPECT_EQ(local.error().reason, Reason::malformed_request) << target;
  }
}

}  // namespace
}  // namespace pse::testing

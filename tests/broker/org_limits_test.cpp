// Per-organisation limits through a real broker: one body flooding exchanges or publishes is
// refused 429 rate_limited with Retry-After before anything is audited, while another body's
// exchange is still answered; the refusals show in the metrics, not in the audit log.
#include "broker_fixture.hpp"

#include "support/signing_keys.hpp"

#include "support/test_connector.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

// Services Québec has no consent for this subject: refused (403) and audited.
const std::string kRefusedExchange =
    R"({"subject": "QC-1957-0099", "provider": "etat-civil", "category": "identity.birth", "purpose": "identity_verification"})";
// RAMQ may receive births by law.
const std::string kLawfulExchange =
    R"({"subject": "QC-1957-0042", "provider": "etat-civil", "category": "identity.birth", "purpose": "health_insurance_registration"})";

std::string death(int i) {
  return signed_publish_body("etat-civil", R"({"category": "identity.death", "subject": "QC-1931-)" + std::to_string(i) +
                                               R"(", "idempotency_key": "flood-)" + std::to_string(i) +
                                               R"(", "record": {"surname": "Tremblay", "death_date": "2026-11-20"}})");
}

class OrgLimits : public BrokerTest {
 protected:
  std::uint64_t audit_count() const {
    auto count = audit_store()->count_entries();
    return count ? *count : 0;
  }
  std::string metrics() const { return http_get(broker_->admin_port(), "/metrics").body; }

  std::unique_ptr<TestConnector> etat_civil_connector() {
    auto connector = std::make_unique<TestConnector>(broker_->port(), pki_->ca(), etat_civil_);
    auto ready = connector->connect({"identity.birth"});
    EXPECT_TRUE(ready && ready->at("type") == "ready") << connector->error();
    connector->serve([](const json::object& request) {
      return record_response(request, json::object{{"surname", "Tremblay"}, {"birth_date", "1957-03-14"}});
    });
    return connector;
  }
};

TEST_F(OrgLimits, AnOrganisationFloodingExchangesIsRefusedUnauditedWhileAnotherIsServed) {
  start_broker([](broker::BrokerConfig& config) {
    config.limits.exchange_rate_per_org = 1;
    config.limits.exchange_burst_per_org = 5;
  });
  auto connector = etat_civil_connector();

  TlsClient flooder(broker_->port(), pki_->ca(), services_quebec_);
  ASSERT_TRUE(flooder.connect()) << flooder.error();
  int refused_by_policy = 0;
  int rate_limited = 0;
  for (int i = 0; i < 20; ++i) {
    HttpResult result = flooder.request("POST", "/v1/exchange", kRefusedExchange);
    ASSERT_TRUE(result.answered) << result.error;
    if (result.status == 429) {
      ++rate_limited;
      EXPECT_THAT(result.body, HasSubstr(R"("code":"rate_limited")"));
      EXPECT_GE(std::stoi(result.retry_after.empty() ? "0" : result.retry_after), 1) << "no Retry-After";
    } else {
      EXPECT_EQ(result.status, 403) << result.body;
      ++refused_by_policy;
    }
  }
  // The burst, and at most a token or two more refilled during the test.
  EXPECT_GE(refused_by_policy, 5);
  EXPECT_LE(refused_by_policy, 8);
  EXPECT_EQ(rate_limited, 20 - refused_by_policy);

  // Another body is not held back by the flood.
  HttpResult served = post(ramq_, "/v1/exchange", kLawfulExchange);
  EXPECT_EQ(served.status, 200) << served.body;

  // Only what was admitted is in the audit log: the refusals are counted, not audited.
  EXPECT_EQ(audit_count(), static_cast<std::uint64_t>(refused_by_policy) + 1);
  EXPECT_THAT(metrics(), HasSubstr("pse_admission_refused_total{org=\"services-quebec\",kind=\"exchange_rate\"} " +
                                   std::to_string(rate_limited)));
}

TEST_F(OrgLimits, APublishFloodGets429WithRetryAfterAndLeavesNoAuditEntries) {
  start_broker([](broker::BrokerConfig& config) {
    config.limits.publish_rate_per_org = 1;
    config.limits.publish_burst_per_org = 3;
    config.pubsub.subscriptions = {{"ramq", "identity.death", "health_insurance_termination"}};
  });
  TlsClient publisher(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_TRUE(publisher.connect()) << publisher.error();
  int accepted = 0;
  int rate_limited = 0;
  for (int i = 0; i < 10; ++i) {
    HttpResult result = publisher.request("POST", "/v1/publish", death(i));
    ASSERT_TRUE(result.answered) << result.error;
    if (result.status == 429) {
      ++rate_limited;
      EXPECT_THAT(result.body, HasSubstr(R"("code":"rate_limited")"));
      EXPECT_FALSE(result.retry_after.empty()) << "no Retry-After";
      EXPECT_GE(std::stoi(result.retry_after.empty() ? "0" : result.retry_after), 1);
    } else {
      EXPECT_EQ(result.status, 202) << result.body;
      ++accepted;
    }
  }
  EXPECT_GE(accepted, 3);
  EXPECT_LE(accepted, 5);
  EXPECT_GE(rate_limited, 5);

  // One entry per accepted publish (one subscriber); none for the refused ones.
  EXPECT_EQ(audit_count(), static_cast<std::uint64_t>(accepted));
  EXPECT_THAT(metrics(), HasSubstr("pse_admission_refused_total{org=\"etat-civil\",kind=\"publish_rate\"} " +
                                   std::to_string(rate_limited)));
  // The consumer side is untouched by the publisher's flood.
  auto connector = etat_civil_connector();
  EXPECT_EQ(post(ramq_, "/v1/exchange", kLawfulExchange).status, 200);
}

}  // namespace
}  // namespace pse::testing

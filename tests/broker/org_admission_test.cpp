// OrgAdmission with a clock the test moves: each organisation's own buckets, Retry-After from
// the time to the next token, publishes in flight given back by their tickets, and refusals
// counted per organisation and kind.
#include "broker/admission/org_admission.hpp"

#include <gmock/gmock.h>

namespace pse::broker {
namespace {

using ::testing::HasSubstr;
using Clock = OrgAdmission::Clock;
using namespace std::chrono_literals;

AdmissionLimits small_limits() {
  AdmissionLimits limits;
  limits.exchange_rate = 2;  // one token every 500 ms
  limits.exchange_burst = 3;
  limits.publish_rate = 0.25;  // one token every 4 s
  limits.publish_burst = 2;
  limits.publishes_in_flight = 1;
  return limits;
}

TEST(OrgAdmissionTest, EachOrganisationHasItsOwnExchangeBucket) {
  OrgAdmission admission(small_limits());
  const auto t = Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(admission.admit_exchange("ramq", t)) << i;
  const auto refused = admission.admit_exchange("ramq", t);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, AdmissionKind::exchange_rate);
  EXPECT_EQ(refused->retry_after_seconds, 1U);  // 500 ms, rounded up to whole seconds
  // RAMQ's flood takes nothing from the SAAQ.
  EXPECT_FALSE(admission.admit_exchange("saaq", t));
  // Refilled at the configured rate.
  EXPECT_FALSE(admission.admit_exchange("ramq", t + 500ms));
  EXPECT_TRUE(admission.admit_exchange("ramq", t + 500ms));
  EXPECT_EQ(admission.refusals("ramq", AdmissionKind::exchange_rate), 2U);
  EXPECT_EQ(admission.refusals("saaq", AdmissionKind::exchange_rate), 0U);
}

TEST(OrgAdmissionTest, PublishesAreLimitedInFlightAndInRate) {
  OrgAdmission admission(small_limits());
  const auto t = Clock::now();
  {
    OrgAdmission::Ticket first;
    EXPECT_FALSE(admission.admit_publish("etat-civil", first, t));
    OrgAdmission::Ticket second;
    const auto busy = admission.admit_publish("etat-civil", second, t);
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->kind, AdmissionKind::publish_in_flight);
    // Another publisher has its own place.
    OrgAdmission::Ticket other;
    EXPECT_FALSE(admission.admit_publish("saaq", other, t));
  }  // the answers are sent: the places are given back
  OrgAdmission::Ticket again;
  EXPECT_FALSE(admission.admit_publish("etat-civil", again, t));  // second token of the burst
  again = OrgAdmission::Ticket();
  OrgAdmission::Ticket empty_bucket;
  const auto too_fast = admission.admit_publish("etat-civil", empty_bucket, t);
  ASSERT_TRUE(too_fast);
  EXPECT_EQ(too_fast->kind, AdmissionKind::publish_rate);
  EXPECT_EQ(too_fast->retry_after_seconds, 4U);
  // A publish refused for its rate holds no place in flight.
  OrgAdmission::Ticket later;
  EXPECT_FALSE(admission.admit_publish("etat-civil", later, t + 4s));
}

TEST(OrgAdmissionTest, RefusalsAreCountedPerOrganisationAndKind) {
  OrgAdmission admission(small_limits());
  admission.count_refusal("ramq", AdmissionKind::audit_share);
  admission.count_refusal("ramq", AdmissionKind::audit_share);
  const std::string text = admission.render_metrics();
  EXPECT_THAT(text, HasSubstr("# TYPE pse_admission_refused_total counter"));
  EXPECT_THAT(text, HasSubstr("pse_admission_refused_total{org=\"ramq\",kind=\"audit_share\"} 2\n"));

  const HttpResponse response = rate_limited_response({AdmissionKind::publish_rate, 7});
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.retry_after_seconds, 7U);
  EXPECT_THAT(response.body, HasSubstr(R"("code":"rate_limited")"));
}

}  // namespace
}  // namespace pse::broker

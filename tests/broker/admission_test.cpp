// Who may hold the broker's connections: the handshake budget and its per-address share, the
// authenticated budget and its per-organisation share, connectors counted like the others.
#include "broker/admission/connection_budget.hpp"

#include "broker_fixture.hpp"
#include "support/test_connector.hpp"

#include <gmock/gmock.h>

#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using broker::AdmissionRefusal;
using broker::ConnectionBudget;

broker::Limits small_limits() {
  broker::Limits limits;
  limits.max_handshakes = 3;
  limits.max_handshakes_per_address = 2;
  limits.max_connections = 3;
  limits.max_connections_per_org = 2;
  return limits;
}

TEST(ConnectionBudget, OneAddressTakesNoMoreThanItsShareOfHandshakes) {
  ConnectionBudget budget(small_limits());
  auto a1 = budget.enter_handshake("10.0.0.1");
  auto a2 = budget.enter_handshake("10.0.0.1");
  auto a3 = budget.enter_handshake("10.0.0.1");
  EXPECT_TRUE(a1.slot && a2.slot);
  EXPECT_FALSE(a3.slot);
  EXPECT_EQ(a3.refusal, AdmissionRefusal::address_budget);
  auto b1 = budget.enter_handshake("10.0.0.2");
  EXPECT_TRUE(b1.slot);
  auto c1 = budget.enter_handshake("10.0.0.3");
  EXPECT_FALSE(c1.slot);
  EXPECT_EQ(c1.refusal, AdmissionRefusal::handshake_budget);
  a1.slot.release();
  auto c2 = budget.enter_handshake("10.0.0.3");  // the place came back
  EXPECT_TRUE(c2.slot);
  EXPECT_EQ(budget.handshakes(), 3u);
}

TEST(ConnectionBudget, OrganisationCapAndGlobalCap) {
  ConnectionBudget budget(small_limits());
  auto r1 = budget.enter_authenticated("ramq");
  auto r2 = budget.enter_authenticated("ramq");
  auto r3 = budget.enter_authenticated("ramq");
  EXPECT_FALSE(r3.slot);
  EXPECT_EQ(r3.refusal, AdmissionRefusal::org_budget);
  auto e1 = budget.enter_authenticated("etat-civil");
  EXPECT_TRUE(e1.slot);
  auto e2 = budget.enter_authenticated("etat-civil");
  EXPECT_FALSE(e2.slot);
  EXPECT_EQ(e2.refusal, AdmissionRefusal::connection_budget);
  {
    ConnectionBudget::Slot moved = std::move(r1.slot);  // a slot moves with its connection
    EXPECT_FALSE(r1.slot);
    EXPECT_EQ(budget.authenticated(), 3u);
  }
  EXPECT_EQ(budget.authenticated(), 2u);
}

class Admission : public BrokerTest {};

// One host opens many idle TCP connections and never starts TLS: it fills its own share of the
// handshake budget and no more, and another body's exchange goes through at once.
TEST_F(Admission, AnIdleFloodFromOneHostDoesNotKeepOthersOut) {
  start_broker([](broker::BrokerConfig& config) {
    config.limits.max_connections = 64;  // on main, the only budget: the flood filled it
    config.limits.max_handshakes = 64;
    config.limits.max_handshakes_per_address = 20;
    config.limits.handshake_timeout = std::chrono::seconds(30);
  });
  IdleConnections flood(broker_->port(), "127.0.0.2", 100);
  EXPECT_LE(flood.still_open(1000), 20);
  EXPECT_GE(broker_->metrics().connections_refused(AdmissionRefusal::address_budget), 80u);

  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get(ramq_, "/v1/whoami").status, 200);
  EXPECT_EQ(get(etat_civil_, "/v1/whoami").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));  // not after the flood's timeout
  EXPECT_THAT(http_get(broker_->admin_port(), "/metrics").body,
              HasSubstr("pse_connections_refused_total{reason=\"address_budget\"}"));
}

TEST_F(Admission, OneOrganisationCannotTakeEveryConnection) {
  start_broker([](broker::BrokerConfig& config) { config.limits.max_connections_per_org = 2; });
  TlsClient first(broker_->port(), pki_->ca(), ramq_);
  TlsClient second(broker_->port(), pki_->ca(), ramq_);
  TlsClient third(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(first.connect());
  ASSERT_TRUE(second.connect());
  ASSERT_EQ(first.request("GET", "/v1/whoami").status, 200);
  ASSERT_EQ(second.request("GET", "/v1/whoami").status, 200);
  ASSERT_TRUE(third.connect());
  HttpResult refused = third.request("GET", "/v1/whoami");
  EXPECT_EQ(refused.status, 503);
  EXPECT_THAT(refused.body, HasSubstr("too many connections for this organisation"));
  EXPECT_EQ(broker_->metrics().connections_refused(AdmissionRefusal::org_budget), 1u);
  EXPECT_EQ(get(etat_civil_, "/v1/whoami").status, 200);
}

// A connector's WebSocket holds a connection like any other: it counts in its organisation's share.
TEST_F(Admission, ConnectorsCountInTheirOrganisationsShare) {
  start_broker([](broker::BrokerConfig& config) { config.limits.max_connections_per_org = 1; });
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_TRUE(connector.connect({"identity.birth"}).has_value()) << connector.error();
  EXPECT_EQ(get(etat_civil_, "/v1/whoami").status, 503);
  EXPECT_EQ(get(ramq_, "/v1/whoami").status, 200);
}

}  // namespace
}  // namespace pse::testing

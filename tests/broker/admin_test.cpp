// The admin listener (health, readiness, metrics), reload and graceful shutdown.
#include "broker_fixture.hpp"

#include <gmock/gmock.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;

class Admin : public BrokerTest {};

TEST_F(Admin, HealthAndReadiness) {
  start_broker();
  HttpResult health = http_get(broker_->admin_port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  EXPECT_EQ(http_get(broker_->admin_port(), "/readyz").status, 200);
  EXPECT_EQ(http_get(broker_->admin_port(), "/nothing").status, 404);
}

TEST_F(Admin, MetricsCountConnectionsFailuresAndStatuses) {
  start_broker();
  ASSERT_EQ(get(ramq_, "/v1/whoami").status, 200);
  ASSERT_EQ(get(ramq_, "/v1/missing").status, 404);
  https_request(broker_->port(), pki_->ca(), std::nullopt, "GET", "/v1/whoami");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  const std::string metrics = http_get(broker_->admin_port(), "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("# TYPE pse_connections_open gauge"));
  EXPECT_THAT(metrics, HasSubstr("pse_connections_accepted_total 3"));
  EXPECT_THAT(metrics, HasSubstr(R"(pse_handshake_failures_total{reason="certificate_required"} 1)"));
  EXPECT_THAT(metrics, HasSubstr(R"(pse_requests_total{status="200"} 1)"));
  EXPECT_THAT(metrics, HasSubstr(R"(pse_requests_total{status="404"} 1)"));
}

TEST_F(Admin, DrainClosesIdleConnectionsAndStopsPromptly) {
  start_broker([](broker::BrokerConfig& config) { config.limits.drain_timeout = std::chrono::seconds(20); });
  TlsClient idle(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(idle.connect());
  ASSERT_EQ(idle.request("GET", "/v1/whoami").status, 200);

  const auto started = std::chrono::steady_clock::now();
  broker_->request_drain();
  EXPECT_TRUE(idle.closed_by_server(5000));
  broker_->wait();
  // An idle keep-alive connection must not hold the drain until its deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  // New connections are refused once draining.
  TlsClient late(broker_->port(), pki_->ca(), ramq_);
  EXPECT_FALSE(late.connect());
}

TEST_F(Admin, ReloadAppliesNewOrganisationsAndAFailedOneKeepsServing) {
  TempDir orgs;
  std::ifstream shipped(PSE_SOURCE_DIR "/config/orgs.yaml");
  const std::string original((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
  const auto orgs_file = orgs.write("orgs.yaml", original);
  start_broker([&](broker::BrokerConfig& config) { config.orgs_file = orgs_file; });
  ASSERT_EQ(get(ramq_, "/v1/whoami").status, 200);

  orgs.write("orgs.yaml", original + "  - {id: broken, name: x, clearance: 9}\n");
  EXPECT_FALSE(broker_->reload());
  EXPECT_EQ(get(ramq_, "/v1/whoami").status, 200);

  std::string renamed = original;
  const std::string old_name = "Régie de l'assurance maladie du Québec";
  renamed.replace(renamed.find(old_name), old_name.size(), "RAMQ (renommée)");
  orgs.write("orgs.yaml", renamed);
  EXPECT_TRUE(broker_->reload());
  EXPECT_THAT(get(ramq_, "/v1/whoami").body, HasSubstr("RAMQ (renommée)"));
}

}  // namespace
}  // namespace pse::testing

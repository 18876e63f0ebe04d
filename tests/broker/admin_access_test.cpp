// The admin listener through a real broker: Host and Origin checks, the bearer token on the
// dead-letter replay, the connection cap, and the mTLS mode that serves operators only.
#include "broker_fixture.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gmock/gmock.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <list>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class AdminAccess : public BrokerTest {
 protected:
  HttpResult admin(const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return http_request(broker_->admin_port(), method, target, headers);
  }
  std::string metrics() const { return admin("GET", "/metrics").body; }
  static std::pair<std::string, std::string> bearer(const std::string& token) { return {"Authorization", "Bearer " + token}; }
};

TEST_F(AdminAccess, ForeignHostIsRefused) {
  start_broker();
  const std::string port = std::to_string(broker_->admin_port());
  EXPECT_EQ(admin("GET", "/healthz", {{"Host", "localhost:" + port}}).status, 200);
  // A browser led there by DNS rebinding sends the attacker's name.
  HttpResult rebound = admin("GET", "/metrics", {{"Host", "attacker.example:" + port}});
  EXPECT_EQ(rebound.status, 403);
  EXPECT_THAT(rebound.body, HasSubstr(R"({"error":{"code":"host_not_allowed")"));
  EXPECT_EQ(admin("GET", "/healthz", {{"Host", "127.0.0.1:1"}}).status, 403);
  EXPECT_THAT(metrics(), HasSubstr("pse_admin_requests_refused_total{reason=\"host_not_allowed\"} 2"));
}

TEST_F(AdminAccess, CrossSiteRequestsAreRefused) {
  start_broker([](broker::BrokerConfig& config) { config.admin_access.token_file = admin_token_file(); });
  // Even with the token (which a page cannot know), a POST a browser sends from another site is refused.
  HttpResult cross = admin("POST", "/admin/dead-letters/replay?subscriber=ramq",
                           {bearer(kAdminToken), {"Origin", "http://attacker.example"}});
  EXPECT_EQ(cross.status, 403);
  EXPECT_THAT(cross.body, HasSubstr("origin_not_allowed"));
  EXPECT_EQ(admin("GET", "/metrics", {{"Sec-Fetch-Site", "cross-site"}}).status, 403);
  EXPECT_THAT(metrics(), HasSubstr("pse_admin_requests_refused_total{reason=\"origin_not_allowed\"} 2"));
}

TEST_F(AdminAccess, ReplayNeedsTheBearerToken) {
  start_broker([](broker::BrokerConfig& config) { config.admin_access.token_file = admin_token_file(); });
  const std::string replay = "/admin/dead-letters/replay?subscriber=ramq";

  HttpResult without = admin("POST", replay);
  EXPECT_EQ(without.status, 403);
  EXPECT_THAT(without.body, HasSubstr("token_required"));
  HttpResult wrong = admin("POST", replay, {bearer(std::string(64, 'f'))});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_THAT(wrong.body, HasSubstr("token_invalid"));
  HttpResult right = admin("POST", replay, {bearer(kAdminToken)});
  EXPECT_EQ(right.status, 200) << right.body;
  EXPECT_EQ(right.body, R"({"replayed":0})");
  // Reading needs no token.
  EXPECT_EQ(admin("GET", "/admin/dead-letters").status, 200);

  const std::string counted = metrics();
  EXPECT_THAT(counted, HasSubstr("pse_admin_requests_refused_total{reason=\"token_required\"} 1"));
  EXPECT_THAT(counted, HasSubstr("pse_admin_requests_refused_total{reason=\"token_invalid\"} 1"));
}

TEST_F(AdminAccess, WithoutATokenFileStateChangingRoutesAreOff) {
  start_broker();
  HttpResult refused = admin("POST", "/admin/dead-letters/replay?subscriber=ramq", {bearer(kAdminToken)});
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("no admin.token_file is configured"));
}

TEST_F(AdminAccess, ConnectionCapIsEnforced) {
  start_broker([](broker::BrokerConfig& config) { config.admin_access.max_connections = 2; });
  boost::asio::io_context io;
  std::list<boost::asio::ip::tcp::socket> idle;
  auto open_idle = [&] {
    auto& socket = idle.emplace_back(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), broker_->admin_port()});
  };
  open_idle();
  open_idle();
  std::this_thread::sleep_for(200ms);  // both accepted, each holding a place

  HttpResult third = admin("GET", "/healthz");
  EXPECT_NE(third.status, 200);
  if (third.answered) {
    EXPECT_THAT(third.body, HasSubstr("too_many_connections"));
  }

  idle.pop_front();  // one place given back once the broker sees the close
  HttpResult served;
  for (int i = 0; i < 50 && served.status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    served = admin("GET", "/metrics");
  }
  ASSERT_EQ(served.status, 200);
  EXPECT_THAT(served.body, HasSubstr("pse_admin_connections_refused_total"));
  EXPECT_THAT(served.body, ::testing::Not(HasSubstr("pse_admin_connections_refused_total 0")));
}

// An organisation holding only the operator role, and a broker whose admin listener is mTLS.
class AdminOverMtls : public AdminAccess {
 protected:
  void start_mtls_broker() {
    std::ifstream shipped(PSE_SOURCE_DIR "/config/orgs.yaml");
    const std::string orgs((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
    const auto orgs_file = orgs_dir_.write(
        "orgs.yaml", orgs + "  - {id: exploitation, name: Exploitation de la PSE, roles: [operator], clearance: 0}\n"
                            "  - {id: exploitation-nuit, name: Relève de nuit, roles: [operator], clearance: 0}\n");
    if (operator_.cert.empty()) operator_ = pki_->issue_org("exploitation");
    start_broker([&](broker::BrokerConfig& config) {
      config.orgs_file = orgs_file;
      config.admin_access.mtls = true;
      config.admin_access.token_file = admin_token_file();
    });
  }
  TempDir orgs_dir_;
  static ClientIdentity operator_;
};
ClientIdentity AdminOverMtls::operator_;

TEST_F(AdminOverMtls, ServesOrganisationsWithTheOperatorRoleOnly) {
  start_mtls_broker();
  TlsClient operations(broker_->admin_port(), pki_->ca(), operator_);
  ASSERT_TRUE(operations.connect()) << operations.error();
  HttpResult scraped = operations.request("GET", "/metrics");
  EXPECT_EQ(scraped.status, 200);
  EXPECT_THAT(scraped.body, HasSubstr("pse_admin_connections_open"));

  // A body with a valid certificate but no operator role gets a clear refusal, then the door.
  TlsClient ramq(broker_->admin_port(), pki_->ca(), ramq_);
  ASSERT_TRUE(ramq.connect()) << ramq.error();
  HttpResult refused = ramq.request("GET", "/metrics");
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("not_operator"));
  EXPECT_TRUE(ramq.closed_by_server(2000));

  // No certificate, or plain HTTP: no answer at all.
  TlsClient anonymous(broker_->admin_port(), pki_->ca(), std::nullopt);
  if (anonymous.connect()) {
    EXPECT_FALSE(anonymous.request("GET", "/metrics").answered);
  }
  EXPECT_FALSE(http_get(broker_->admin_port(), "/healthz").answered);
}

TEST_F(AdminOverMtls, AnOperatorRevokedWhileConnectedIsCutOff) {
  start_mtls_broker();
  const ClientIdentity night = pki_->issue_org("exploitation-nuit");
  TlsClient operations(broker_->admin_port(), pki_->ca(), night);
  ASSERT_TRUE(operations.connect()) << operations.error();
  ASSERT_EQ(operations.request("GET", "/healthz").status, 200);
  pki_->revoke(night);
  ASSERT_TRUE(broker_->reload());
  EXPECT_FALSE(operations.request("GET", "/metrics").answered);  // the same keep-alive connection
  TlsClient again(broker_->admin_port(), pki_->ca(), night);
  if (again.connect()) {
    EXPECT_FALSE(again.request("GET", "/healthz").answered);
  }
}

TEST_F(AdminOverMtls, OperatorsStillNeedTheTokenToReplay) {
  start_mtls_broker();
  TlsClient operations(broker_->admin_port(), pki_->ca(), operator_);
  ASSERT_TRUE(operations.connect()) << operations.error();
  HttpResult without = operations.request("POST", "/admin/dead-letters/replay?subscriber=ramq");
  EXPECT_EQ(without.status, 403);
  EXPECT_THAT(without.body, HasSubstr("token_required"));
}

}  // namespace
}  // namespace pse::testing

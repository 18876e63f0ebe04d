// An open session lives only as long as its identity passes: TLS resumption, revocation and
// organisation changes reaching connections already open, and the maximum connection lifetime.
// Real handshakes, a real CRL made by pse-pki, real reloads.
#include "broker_fixture.hpp"
#include "support/test_connector.hpp"

#include <gmock/gmock.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The PKI is shared by the whole program: a test that revokes a certificate issues it first,
// for an organisation no other test of the program uses (pse-pki issues one per organisation).
class Sessions : public BrokerTest {
 protected:
  ClientIdentity fresh(const std::string& org) { return pki_->issue_org(org); }

  // A copy of the shipped orgs.yaml the test may rewrite, in force at start-up.
  std::filesystem::path writable_orgs() {
    std::ifstream shipped(PSE_SOURCE_DIR "/config/orgs.yaml");
    orgs_text_.assign(std::istreambuf_iterator<char>(shipped), std::istreambuf_iterator<char>());
    return orgs_dir_.write("orgs.yaml", orgs_text_);
  }
  void rewrite_orgs(const std::string& from, const std::string& to) {
    const auto at = orgs_text_.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    orgs_text_.replace(at, from.size(), to);
    orgs_dir_.write("orgs.yaml", orgs_text_);
  }

  template <class Predicate>
  static bool eventually(Predicate done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  TempDir orgs_dir_;
  std::string orgs_text_;
};

// What clients such as curl and Java do routinely: reconnect with the session ticket of an
// earlier connection. The resumed session is the certificate's organisation, as a full one.
TEST_F(Sessions, ResumedSessionIsServedAsTheCertificatesOrganisation) {
  start_broker();
  TlsClient first(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(first.connect()) << first.error();
  ASSERT_EQ(first.request("GET", "/v1/whoami").status, 200);
  auto session = first.session();
  ASSERT_NE(session, nullptr);

  TlsClient again(broker_->port(), pki_->ca(), ramq_);
  again.resume_with(session);
  ASSERT_TRUE(again.connect()) << again.error();
  EXPECT_TRUE(again.resumed());
  HttpResult whoami = again.request("GET", "/v1/whoami");
  EXPECT_EQ(whoami.status, 200);
  EXPECT_THAT(whoami.body, HasSubstr("\"org\":\"ramq\""));
  // The broker is still there for everyone else.
  EXPECT_EQ(get(etat_civil_, "/v1/whoami").status, 200);
}

// A ticket from before a revocation does not bring the revoked certificate back in.
TEST_F(Sessions, SessionFromBeforeARevocationDoesNotResume) {
  start_broker();
  const auto revoked = fresh("revenu-quebec");
  TlsClient first(broker_->port(), pki_->ca(), revoked);
  ASSERT_TRUE(first.connect());
  ASSERT_EQ(first.request("GET", "/v1/whoami").status, 200);
  auto session = first.session();
  ASSERT_NE(session, nullptr);

  pki_->revoke(revoked);
  ASSERT_TRUE(broker_->reload());
  const auto before = broker_->metrics().handshake_failures("certificate_revoked");
  TlsClient again(broker_->port(), pki_->ca(), revoked);
  again.resume_with(session);
  const bool connected = again.connect();
  EXPECT_FALSE(connected && again.request("GET", "/v1/whoami").answered);
  EXPECT_FALSE(again.resumed());
  EXPECT_TRUE(eventually([&] { return broker_->metrics().handshake_failures("certificate_revoked") > before; }));
}

TEST_F(Sessions, RevocationClosesAnOpenKeepAliveConnection) {
  start_broker();
  const auto revoked = fresh("afe");
  TlsClient client(broker_->port(), pki_->ca(), revoked);
  TlsClient bystander(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  ASSERT_TRUE(bystander.connect());
  ASSERT_EQ(client.request("GET", "/v1/whoami").status, 200);
  ASSERT_EQ(bystander.request("GET", "/v1/whoami").status, 200);

  pki_->revoke(revoked);
  ASSERT_TRUE(broker_->reload());
  EXPECT_TRUE(client.closed_by_server(3000));
  EXPECT_TRUE(eventually([&] { return broker_->metrics().sessions_revoked("certificate_revoked") == 1; }));
  EXPECT_EQ(bystander.request("GET", "/v1/whoami").status, 200);
}

TEST_F(Sessions, OrganisationRemovedFromTheRegistryIsDisconnected) {
  const auto orgs = writable_orgs();
  const std::string departing =
      "  - {id: cisss-laval, name: CISSS de Laval, name_en: Laval CISSS, roles: [consumer], clearance: 1}\n";
  rewrite_orgs("organisations:\n", "organisations:\n" + departing);
  start_broker([&](broker::BrokerConfig& config) { config.orgs_file = orgs; });
  TlsClient client(broker_->port(), pki_->ca(), fresh("cisss-laval"));
  ASSERT_TRUE(client.connect()) << client.error();
  ASSERT_EQ(client.request("GET", "/v1/whoami").status, 200);

  rewrite_orgs(departing, "");
  ASSERT_TRUE(broker_->reload());
  EXPECT_TRUE(client.closed_by_server(3000));
  EXPECT_TRUE(eventually([&] { return broker_->metrics().sessions_revoked("unknown_org") == 1; }));
}

// A demotion takes effect on the connection already open: the next request is judged with the
// organisation's roles as they are now.
TEST_F(Sessions, DemotedOrganisationLosesItsRolesAtOnce) {
  const auto orgs = writable_orgs();
  start_broker([&](broker::BrokerConfig& config) { config.orgs_file = orgs; });
  TlsClient client(broker_->port(), pki_->ca(), services_quebec_);
  ASSERT_TRUE(client.connect());
  ASSERT_EQ(client.request("GET", "/v1/consents?subject=citoyen-1").status, 200);

  rewrite_orgs("roles: [consent-authority, consumer, provider, publisher, subscriber]",
               "roles: [consumer, provider, publisher, subscriber]");
  ASSERT_TRUE(broker_->reload());
  // The re-check runs on the session's own strand: the next request sees its result.
  HttpResult after;
  EXPECT_TRUE(eventually([&] {
    after = client.request("GET", "/v1/consents?subject=citoyen-1");
    return after.status != 200;
  }));
  EXPECT_EQ(after.status, 403);
  EXPECT_THAT(after.body, HasSubstr("not_consent_authority"));
}

TEST_F(Sessions, RevokedConnectorStopsReceivingRequests) {
  start_broker();
  const auto revoked = fresh("saaq");
  TestConnector connector(broker_->port(), pki_->ca(), revoked);
  auto ready = connector.connect({"driving.licence"});
  ASSERT_TRUE(ready.has_value()) << connector.error();
  ASSERT_EQ(ready->at("type").as_string(), "ready");

  pki_->revoke(revoked);
  ASSERT_TRUE(broker_->reload());
  // The connection ends: next() sees the close, never a request.
  EXPECT_FALSE(connector.next(3000).has_value());
  EXPECT_TRUE(eventually([&] { return broker_->metrics().sessions_revoked("certificate_revoked") == 1; }));
  EXPECT_TRUE(eventually([&] { return broker_->metrics().open_connectors() == 0; }));
}

TEST_F(Sessions, ConnectorWhoseOrganisationLosesTheProviderRoleIsDisconnected) {
  const auto orgs = writable_orgs();
  start_broker([&](broker::BrokerConfig& config) { config.orgs_file = orgs; });
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  auto ready = connector.connect({"identity.birth"});
  ASSERT_TRUE(ready.has_value()) << connector.error();

  rewrite_orgs("roles: [provider, publisher]", "roles: [publisher]");
  ASSERT_TRUE(broker_->reload());
  EXPECT_FALSE(connector.next(3000).has_value());
  EXPECT_TRUE(eventually([&] { return broker_->metrics().sessions_revoked("role_withdrawn") == 1; }));
}

TEST_F(Sessions, ConnectionsEndAtTheirMaximumLifetime) {
  start_broker([](broker::BrokerConfig& config) { config.limits.max_connection_lifetime = 1s; });
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  ASSERT_EQ(client.request("GET", "/v1/whoami").status, 200);
  TestConnector connector(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_TRUE(connector.connect({"identity.birth"}).has_value()) << connector.error();

  EXPECT_TRUE(client.closed_by_server(4000));
  // The connector is asked to go (a WebSocket close), and may reconnect at once.
  EXPECT_FALSE(connector.next(4000).has_value());
  EXPECT_TRUE(eventually([&] { return broker_->metrics().open_connectors() == 0; }));
  EXPECT_EQ(get(ramq_, "/v1/whoami").status, 200);
}

}  // namespace
}  // namespace pse::testing

// Real TLS handshakes against a real broker: who gets in, who is refused, and why.
#include "broker_fixture.hpp"

#include <gmock/gmock.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;

class MutualTls : public BrokerTest {
 protected:
  // Asserts that `who` gets no HTTP answer and that the broker counted `reason`.
  void expect_refused(const std::optional<ClientIdentity>& who, std::string_view reason) {
    const auto before = broker_->metrics().handshake_failures(reason);
    HttpResult result = https_request(broker_->port(), pki_->ca(), who, "GET", "/v1/whoami");
    EXPECT_FALSE(result.answered) << "status " << result.status << " " << result.body;
    // The failure is counted once the broker's side of the handshake has ended.
    for (int i = 0; i < 100 && broker_->metrics().handshake_failures(reason) == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(broker_->metrics().handshake_failures(reason), before + 1) << reason << ": " << result.error;
    last_error_ = result.error;
  }
  std::string last_error_;
};

TEST_F(MutualTls, WhoamiNamesTheOrganisationFromTheCertificate) {
  start_broker();
  HttpResult result = get(ramq_, "/v1/whoami");
  ASSERT_TRUE(result.answered) << result.error;
  EXPECT_EQ(result.status, 200);
  EXPECT_THAT(result.body, HasSubstr(R"("org":"ramq")"));
  EXPECT_THAT(result.body, HasSubstr(R"("clearance":3)"));
  EXPECT_THAT(result.body, HasSubstr("Régie de l'assurance maladie du Québec"));

  HttpResult other = get(etat_civil_, "/v1/whoami");
  EXPECT_THAT(other.body, HasSubstr(R"("org":"etat-civil")"));
}

TEST_F(MutualTls, MissingClientCertificateIsRefused) {
  start_broker();
  expect_refused(std::nullopt, "certificate_required");
  EXPECT_THAT(last_error_, HasSubstr("certificate required"));
}

TEST_F(MutualTls, CertificateFromAnotherCaIsRefused) {
  start_broker();
  TestPki other(dir_->path() / "other-ca");
  expect_refused(other.issue_org("ramq"), "certificate_untrusted");
  EXPECT_THAT(last_error_, HasSubstr("unknown ca"));
}

TEST_F(MutualTls, ExpiredCertificateIsRefused) {
  start_broker();
  auto expired = pki_->issue_org("saaq", "--not-before 20200101000000Z --not-after 20210101000000Z");
  expect_refused(expired, "certificate_expired");
  EXPECT_THAT(last_error_, HasSubstr("certificate expired"));
}

TEST_F(MutualTls, NotYetValidCertificateIsRefused) {
  start_broker();
  auto future = pki_->issue_org("afe", "--not-before 20900101000000Z --not-after 20910101000000Z");
  expect_refused(future, "certificate_not_yet_valid");
}

TEST_F(MutualTls, RevokedCertificateIsRefusedAfterReload) {
  auto revoked = pki_->issue_org("revenu-quebec");
  start_broker();
  ASSERT_EQ(get(revoked, "/v1/whoami").status, 200);

  pki_->revoke(revoked);
  // The CRL is read at start-up and on reload (SIGHUP): until then the old one applies.
  ASSERT_TRUE(broker_->reload());
  expect_refused(revoked, "certificate_revoked");
  EXPECT_THAT(last_error_, HasSubstr("certificate revoked"));
  EXPECT_EQ(get(ramq_, "/v1/whoami").status, 200);  // others are unaffected
}

// SIGHUP, the CRL watcher and an operator may reload at the same moment while bodies connect:
// every reload succeeds and what is in force afterwards still admits and refuses correctly.
TEST_F(MutualTls, ConcurrentReloadsWhileBodiesConnect) {
  auto revoked = pki_->issue_org("pse-feedback");
  start_broker();
  pki_->revoke(revoked);
  std::atomic<int> failed_reloads{0};
  std::atomic<int> failed_requests{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (!broker_->reload()) ++failed_reloads;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 10; ++i) {
      if (get(ramq_, "/v1/whoami").status != 200) ++failed_requests;
    }
  });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed_reloads, 0);
  EXPECT_EQ(failed_requests, 0);
  expect_refused(revoked, "certificate_revoked");
}

TEST_F(MutualTls, OrganisationMissingFromRegistryIsRefused) {
  start_broker();
  expect_refused(pki_->issue_org("intrus"), "unknown_org");
}

TEST_F(MutualTls, CertificateWithoutPlatformIdentityIsRefused) {
  start_broker();
  expect_refused(pki_->issue_with_uri("foreign", "spiffe://other.example/org/ramq"), "identity_missing");
  expect_refused(pki_->issue_with_uri("nospiffe", "https://ramq.gouv.qc.ca/"), "identity_missing");
}

// SPIFFE's X.509-SVID profile for a leaf: a certificate that could sign others, or that was
// not made for TLS clients, is not an organisation's identity even when the platform CA issued it.
TEST_F(MutualTls, LeafThatIsACaIsRefused) {
  start_broker();
  expect_refused(pki_->issue_with_uri("ca-leaf", "spiffe://pse.gouv.qc.ca/org/ramq",
                                      "basicConstraints=critical,CA:TRUE\nextendedKeyUsage=clientAuth"),
                 "certificate_profile");
}

TEST_F(MutualTls, LeafAllowedToSignCertificatesIsRefused) {
  start_broker();
  expect_refused(pki_->issue_with_uri("signing-leaf", "spiffe://pse.gouv.qc.ca/org/ramq",
                                      "keyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=clientAuth"),
                 "certificate_profile");
}

TEST_F(MutualTls, LeafWithoutClientAuthIsRefused) {
  start_broker();
  expect_refused(pki_->issue_with_uri("server-leaf", "spiffe://pse.gouv.qc.ca/org/ramq", "extendedKeyUsage=serverAuth"),
                 "certificate_profile");
  expect_refused(pki_->issue_with_uri("any-use-leaf", "spiffe://pse.gouv.qc.ca/org/ramq", "keyUsage=digitalSignature"),
                 "certificate_profile");
}

TEST_F(MutualTls, LeafWithTheProfileIsAccepted) {
  start_broker();
  auto good = pki_->issue_with_uri("good-leaf", "spiffe://pse.gouv.qc.ca/org/ramq",
                                   "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                   "extendedKeyUsage=clientAuth");
  EXPECT_EQ(get(good, "/v1/whoami").status, 200);
}

TEST_F(MutualTls, Tls12IsRefusedByDefault) {
  start_broker();
  TlsClient client(broker_->port(), pki_->ca(), ramq_, /*tls12_only=*/true);
  EXPECT_FALSE(client.connect());
  EXPECT_THAT(client.error(), HasSubstr("protocol version"));
}

TEST_F(MutualTls, Tls12IsAcceptedWhenConfigured) {
  start_broker([](broker::BrokerConfig& config) { config.tls.min_version = broker::TlsVersion::v1_2; });
  TlsClient client(broker_->port(), pki_->ca(), ramq_, /*tls12_only=*/true);
  ASSERT_TRUE(client.connect()) << client.error();
  EXPECT_EQ(client.request("GET", "/v1/whoami").status, 200);
}

TEST_F(MutualTls, ParallelClientsEachSeeTheirOwnIdentity) {
  start_broker();
  std::atomic<int> wrong{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      const bool is_ramq = t % 2 == 0;
      TlsClient client(broker_->port(), pki_->ca(), is_ramq ? ramq_ : etat_civil_);
      if (!client.connect()) return;
      for (int i = 0; i < 25; ++i) {
        HttpResult result = client.request("GET", "/v1/whoami");
        if (!result.answered) return;
        ++answered;
        const bool says_ramq = result.body.find(R"("org":"ramq")") != std::string::npos;
        if (says_ramq != is_ramq) ++wrong;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(answered.load(), 200);
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace pse::testing

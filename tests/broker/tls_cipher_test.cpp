// With TLS 1.2 allowed, only ECDHE key exchange with AEAD suites is negotiated: a real client
// offering nothing else is refused at the handshake.
#include "broker_fixture.hpp"

#include <gmock/gmock.h>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;

class Tls12Ciphers : public BrokerTest {
 protected:
  void SetUp() override {
    start_broker([](broker::BrokerConfig& config) { config.tls.min_version = broker::TlsVersion::v1_2; });
  }
  // A TLS 1.2 client offering only `suites`; true when it is served.
  bool served_with(const std::string& suites) {
    TlsClient client(broker_->port(), pki_->ca(), ramq_, /*tls12_only=*/true);
    // @SECLEVEL=0: the client must really offer the weak suite, so that the refusal is the broker's.
    client.offer_tls12_ciphers(suites + ":@SECLEVEL=0");
    if (!client.connect()) return false;
    return client.request("GET", "/v1/whoami").status == 200;
  }
};

TEST_F(Tls12Ciphers, EcdheWithAeadIsAccepted) {
  EXPECT_TRUE(served_with("ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_TRUE(served_with("ECDHE-ECDSA-AES256-GCM-SHA384"));
  EXPECT_TRUE(served_with("ECDHE-ECDSA-CHACHA20-POLY1305"));
}

TEST_F(Tls12Ciphers, CbcAndNonEcdheSuitesAreRefused) {
  EXPECT_FALSE(served_with("ECDHE-ECDSA-AES128-SHA256"));  // ECDHE, but CBC
  EXPECT_FALSE(served_with("ECDHE-ECDSA-AES256-SHA"));     // ECDHE, CBC with SHA-1
  EXPECT_FALSE(served_with("AES128-GCM-SHA256"));          // static RSA key exchange, no forward secrecy
  EXPECT_FALSE(served_with("DHE-RSA-AES128-GCM-SHA256"));  // finite-field DHE
  const std::string refused = R"(pse_handshake_failures_total{reason="tls_protocol"} 4)";
  EXPECT_THAT(metrics_showing(refused), HasSubstr(refused));
}

TEST_F(Tls12Ciphers, Tls13KeepsItsDefaultSuites) {
  for (const char* suite : {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
    TlsClient client(broker_->port(), pki_->ca(), ramq_);
    client.offer_tls13_suites(suite);
    ASSERT_TRUE(client.connect()) << suite << ": " << client.error();
    EXPECT_EQ(client.request("GET", "/v1/whoami").status, 200) << suite;
  }
}

}  // namespace
}  // namespace pse::testing

// HTTP handling on the mTLS listener: routes, error bodies, size limits, timeouts and the
// connection cap. Every case runs against a real broker over real TLS.
#include "broker_fixture.hpp"

#include <gmock/gmock.h>

#include <thread>

namespace pse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class HttpLimits : public BrokerTest {};

TEST_F(HttpLimits, UnknownRouteAndWrongMethodGetJsonErrors) {
  start_broker();
  HttpResult missing = get(ramq_, "/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"({"error":{"code":"not_found")"));

  HttpResult wrong = https_request(broker_->port(), pki_->ca(), ramq_, "DELETE", "/v1/whoami");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_THAT(wrong.body, HasSubstr(R"("code":"method_not_allowed")"));
}

TEST_F(HttpLimits, KeepAliveServesSeveralRequestsOnOneConnection) {
  start_broker();
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect()) << client.error();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.request("GET", "/v1/whoami").status, 200);
  EXPECT_EQ(broker_->metrics().requests_with_status(200), 5u);
}

TEST_F(HttpLimits, OversizedBodyIsRefusedWith413) {
  start_broker([](broker::BrokerConfig& config) { config.limits.body_bytes = 1024; });
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  HttpResult result = client.request("POST", "/v1/whoami", std::string(4096, 'x'));
  EXPECT_EQ(result.status, 413);
  EXPECT_THAT(result.body, HasSubstr(R"("code":"payload_too_large")"));
  EXPECT_TRUE(client.closed_by_server(2000));  // the rest of the body is never read
}

TEST_F(HttpLimits, OversizedHeadersAreRefusedWith431) {
  start_broker([](broker::BrokerConfig& config) { config.limits.header_bytes = 2048; });
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  HttpResult result = client.request("GET", "/v1/whoami", {}, 4096);
  EXPECT_EQ(result.status, 431);
  EXPECT_THAT(result.body, HasSubstr(R"("code":"headers_too_large")"));
}

TEST_F(HttpLimits, MalformedRequestGets400AndTheConnectionCloses) {
  start_broker();
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  const std::string response = client.raw("GET /v1/whoami HTTP/1.1\r\nthis is not a header\r\n\r\n");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(response, HasSubstr(R"("code":"malformed_request")"));
  EXPECT_THAT(response, HasSubstr("Connection: close"));
}

TEST_F(HttpLimits, IdleConnectionIsClosedAfterTheIdleTimeout) {
  start_broker([](broker::BrokerConfig& config) { config.limits.idle_timeout = std::chrono::milliseconds(300); });
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  EXPECT_EQ(client.request("GET", "/v1/whoami").status, 200);
  EXPECT_TRUE(client.closed_by_server(3000));
}

TEST_F(HttpLimits, SlowRequestIsCutOffByTheRequestTimeout) {
  start_broker([](broker::BrokerConfig& config) {
    config.limits.request_timeout = std::chrono::milliseconds(300);
  });
  TlsClient client(broker_->port(), pki_->ca(), ramq_);
  ASSERT_TRUE(client.connect());
  // Half a request, then silence: the broker must not wait for the rest forever.
  const std::string response = client.raw("POST /v1/whoami HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
  EXPECT_EQ(response, "");
}

TEST_F(HttpLimits, SilentTcpClientIsDroppedAtTheHandshakeTimeout) {
  start_broker([](broker::BrokerConfig& config) {
    config.limits.handshake_timeout = std::chrono::milliseconds(200);
  });
  // A TCP connection that never starts TLS is closed once the handshake timeout passes.
  const int lifetime = silent_tcp_connection_lifetime_ms(broker_->port(), 5000);
  EXPECT_GE(lifetime, 150);
  EXPECT_LT(lifetime, 3000);
  for (int i = 0; i < 100 && broker_->metrics().handshake_failures("timeout") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(broker_->metrics().handshake_failures("timeout"), 1u);
}

TEST_F(HttpLimits, PlainHttpOnTheTlsPortIsAProtocolFailure) {
  start_broker();
  EXPECT_FALSE(http_get(broker_->port(), "/v1/whoami").answered);
  for (int i = 0; i < 100 && broker_->metrics().handshake_failures("tls_protocol") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(broker_->metrics().handshake_failures("tls_protocol"), 1u);
}

// Authenticated connections beyond max_connections are told so on their first request (a 503
// the client can act on, rather than a bare reset) and closed; the others are still served.
TEST_F(HttpLimits, AuthenticatedConnectionsBeyondTheCapAreRefused) {
  start_broker([](broker::BrokerConfig& config) { config.limits.max_connections = 2; });
  TlsClient first(broker_->port(), pki_->ca(), ramq_);
  TlsClient second(broker_->port(), pki_->ca(), etat_civil_);
  ASSERT_TRUE(first.connect());
  ASSERT_TRUE(second.connect());
  ASSERT_EQ(first.request("GET", "/v1/whoami").status, 200);
  ASSERT_EQ(second.request("GET", "/v1/whoami").status, 200);
  TlsClient third(broker_->port(), pki_->ca(), services_quebec_);
  ASSERT_TRUE(third.connect());
  HttpResult refused = third.request("GET", "/v1/whoami");
  EXPECT_EQ(refused.status, 503);
  EXPECT_THAT(refused.body, HasSubstr("overloaded"));
  EXPECT_TRUE(third.closed_by_server(2000));
  EXPECT_THAT(http_get(broker_->admin_port(), "/metrics").body,
              HasSubstr("pse_connections_refused_total{reason=\"connection_budget\"} 1"));
  // The first two are still served.
  EXPECT_EQ(first.request("GET", "/v1/whoami").status, 200);
  EXPECT_EQ(second.request("GET", "/v1/whoami").status, 200);
}

}  // namespace
}  // namespace pse::testing

// The real HTTPS listener: TLS with a pse-pki server certificate, the configured headers on the
// wire, oversized and malformed requests answered 4xx with the configured error page, the
// connection cap, and the server still serving afterwards.
#include "https_server.hpp"

#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

#include <gmock/gmock.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace pse::web {
namespace {

using ::testing::HasSubstr;

class HttpsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    pki_ = new testing::TestPki(dir_->path() / "pki");
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  void SetUp() override {
    HttpsServerOptions options;
    options.port = 0;
    options.certificate = pki_->server_cert();
    options.key = pki_->server_key();
    options.body_limit = 1024;
    options.stop_on_signals = false;
    options.server_name = "pse-test";
    options.headers = {{"Content-Security-Policy", "default-src 'none'"}, {"X-Content-Type-Options", "nosniff"}};
    options.error_page = [](int status) {
      return WebResponse{status, "text/html; charset=utf-8", "<p>refused " + std::to_string(status) + "</p>", {}};
    };
    adjust(options);
    server_ = std::make_unique<HttpsServer>(options, [this](const WebRequest& request) {
      last_ = request;
      WebResponse response;
      response.body = "<p>" + request.method + " " + request.target + " " + std::to_string(request.body.size()) + "</p>";
      return response;
    });
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  virtual void adjust(HttpsServerOptions&) {}

  std::string raw(const std::string& bytes) {
    testing::TlsClient client(server_->port(), pki_->ca(), std::nullopt);
    EXPECT_TRUE(client.connect()) << client.error();
    return client.raw(bytes);
  }

  static testing::TempDir* dir_;
  static testing::TestPki* pki_;
  std::unique_ptr<HttpsServer> server_;
  std::thread thread_;
  WebRequest last_;
};

testing::TempDir* HttpsServerTest::dir_ = nullptr;
testing::TestPki* HttpsServerTest::pki_ = nullptr;

TEST_F(HttpsServerTest, web_ServesOverTlsWithTheConfiguredHeaders) {
  const std::string answer =
      raw("GET /f/abc?lang=en HTTP/1.1\r\nHost: localhost\r\nCookie: a=b\r\nAccept-Language: en-CA\r\n"
          "Connection: close\r\n\r\n");
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(answer, HasSubstr("Content-Security-Policy: default-src 'none'"));
  EXPECT_THAT(answer, HasSubstr("X-Content-Type-Options: nosniff"));
  EXPECT_THAT(answer, HasSubstr("Server: pse-test"));
  EXPECT_THAT(answer, HasSubstr("<p>GET /f/abc?lang=en 0</p>"));
  EXPECT_EQ(last_.cookie, "a=b");
  EXPECT_EQ(last_.accept_language, "en-CA");
  EXPECT_EQ(last_.remote_address, "127.0.0.1");
}

TEST_F(HttpsServerTest, web_OversizedPostAnswered413) {
  const std::string body(4096, 'a');
  const std::string answer = raw("POST /f/abc HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 413"));
  EXPECT_THAT(answer, HasSubstr("<p>refused 413</p>"));
  EXPECT_THAT(answer, HasSubstr("X-Content-Type-Options: nosniff"));
}

TEST_F(HttpsServerTest, web_MalformedRequestsAnswered400) {
  EXPECT_THAT(raw("NOT HTTP AT ALL\r\n\r\n"), HasSubstr("<p>refused 400</p>"));
  EXPECT_THAT(raw("POST /f/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(raw("GET /f/abc HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'h') + "\r\n\r\n"), HasSubstr("HTTP/1.1 431"));
  // Still serving.
  EXPECT_THAT(raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), HasSubstr("HTTP/1.1 200 OK"));
}

/// A TCP connection that never starts its TLS handshake: it holds a place until it is closed
/// (or the server's 10 s handshake timeout).
class SilentConnection {
 public:
  explicit SilentConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  }
  ~SilentConnection() { ::close(fd_); }
  SilentConnection(const SilentConnection&) = delete;
  SilentConnection& operator=(const SilentConnection&) = delete;

 private:
  int fd_;
};

class HttpsServerCapTest : public HttpsServerTest {
 protected:
  void adjust(HttpsServerOptions& options) override { options.max_connections = 2; }

  bool healthz_answered() {
    testing::TlsClient client(server_->port(), pki_->ca(), std::nullopt);
    return client.connect() && client.request("GET", "/healthz").status == 200;
  }
};

TEST_F(HttpsServerCapTest, web_ConnectionsOverTheCapAreClosedAtOnceAndCounted) {
  auto first = std::make_unique<SilentConnection>(server_->port());
  SilentConnection second(server_->port());
  testing::TlsClient third(server_->port(), pki_->ca(), std::nullopt);
  EXPECT_FALSE(third.connect()) << "a third connection was served with max_connections 2";
  EXPECT_EQ(server_->refused_connections(), 1U);

  // A place is given back when a connection ends, and the server serves again.
  first.reset();
  bool answered = false;
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    answered = healthz_answered();
    if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace pse::web

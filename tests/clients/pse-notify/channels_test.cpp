// The two channels against real servers on loopback: aiosmtpd (STARTTLS + AUTH) and Kannel
// with fakesmsc as the SMS centre.
#include "kannel_client.hpp"
#include "mime_message.hpp"
#include "real_servers.hpp"
#include "smtp_client.hpp"

#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;
using pse::testing::TempDir;
using pse::testing::TestPki;
using namespace pse::notify::testing;

class NotifyChannels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_ = new TestPki(dir_->path() / "pki");
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  SmtpSettings smtp_settings(std::uint16_t port) const {
    SmtpSettings s;
    s.host = "127.0.0.1";
    s.server_name = "localhost";
    s.port = port;
    s.ca_file = pki_->ca();
    s.username = "pse-notify";
    s.password = "s3cret";
    s.timeout = std::chrono::seconds(5);
    return s;
  }

  static OutgoingEmail email_to(const std::string& to, const std::string& body_line = "Bonjour") {
    RenderedEmail rendered;
    rendered.subject = "Rappel : échéance / Reminder: due date";
    rendered.text_body = body_line + "\n.\n..deux points\nfin\n";
    rendered.html_body = "<p>Bonjour</p>";
    MimeEnvelope envelope{"ne-pas-repondre@notification.gouv.qc.ca", "Gouvernement du Québec", to,
                          "t-1@notification.gouv.qc.ca", Instant(std::chrono::seconds(1795000000))};
    return {envelope.from_address, to, build_mime_message(envelope, rendered)};
  }

  static TempDir* dir_;
  static TestPki* pki_;
  TempDir work_;
};

TempDir* NotifyChannels::dir_ = nullptr;
TestPki* NotifyChannels::pki_ = nullptr;

TEST_F(NotifyChannels, EmailGoesOverStartTlsWithAuthenticationAndDotStuffing) {
  SmtpTestServer server(work_.path(), pki_->server_cert(), pki_->server_key());
  server.start();
  SmtpClient client(smtp_settings(server.port()));
  const auto first = client.send(email_to("citoyen@example.org"));
  ASSERT_EQ(first.outcome, Outcome::sent) << first.reason;
  const auto second = client.send(email_to("autre@example.org", "Deuxième"));  // same session
  ASSERT_EQ(second.outcome, Outcome::sent) << second.reason;
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_THAT(messages[0], HasSubstr("X-Envelope-From: ne-pas-repondre@notification.gouv.qc.ca\r\n"));
  EXPECT_THAT(messages[0], HasSubstr("X-Envelope-To: citoyen@example.org\r\n"));
  EXPECT_THAT(messages[0], HasSubstr("X-Authenticated: yes\r\nX-TLS: yes\r\n"));
  EXPECT_THAT(messages[0], HasSubstr("Subject: =?UTF-8?B?"));
  // The server undid the dot-stuffing: the lines arrive as written (QP encodes a leading dot).
  EXPECT_THAT(messages[0], HasSubstr("\r\nBonjour\r\n=2E\r\n=2E.deux points\r\nfin\r\n"));
  EXPECT_THAT(messages[1], HasSubstr("X-Envelope-To: autre@example.org\r\n"));
}

TEST_F(NotifyChannels, AuthLoginWhenTheServerOffersNoPlain) {
  SmtpTestServer server(work_.path(), pki_->server_cert(), pki_->server_key());
  server.start(0, /*login_only=*/true);
  const auto outcome = SmtpClient(smtp_settings(server.port())).send(email_to("citoyen@example.org"));
  ASSERT_EQ(outcome.outcome, Outcome::sent) << outcome.reason;
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_THAT(server.messages()[0], HasSubstr("X-Authenticated: yes\r\n"));
  SmtpSettings wrong = smtp_settings(server.port());
  wrong.password = "wrong";
  EXPECT_EQ(SmtpClient(wrong).send(email_to("citoyen@example.org")).reason, "smtp_auth_535");
}

TEST_F(NotifyChannels, DotStuffing) {
  EXPECT_EQ(dot_stuff(".a\r\nb\r\n..c\nd"), "..a\r\nb\r\n...c\r\nd\r\n.\r\n");
  EXPECT_EQ(dot_stuff("x\r\n"), "x\r\n.\r\n");
}

TEST_F(NotifyChannels, RejectedRecipientIsPermanentAndTheSessionStaysUsable) {
  SmtpTestServer server(work_.path(), pki_->server_cert(), pki_->server_key());
  server.start();
  SmtpClient client(smtp_settings(server.port()));
  const auto rejected = client.send(email_to("reject-me@example.org"));
  EXPECT_EQ(rejected.outcome, Outcome::permanent_failure);
  EXPECT_EQ(rejected.reason, "smtp_rcpt_550");
  const auto later = client.send(email_to("tempfail@example.org"));
  EXPECT_EQ(later.outcome, Outcome::temporary_failure);
  EXPECT_EQ(later.reason, "smtp_rcpt_451");
  EXPECT_EQ(client.send(email_to("ok@example.org")).outcome, Outcome::sent);
  EXPECT_EQ(server.messages().size(), 1u);
}

TEST_F(NotifyChannels, UntrustedCertificateStopsBeforeAnyMessage) {
  SmtpTestServer server(work_.path(), pki_->server_cert(), pki_->server_key());
  server.start();
  TempDir other;
  TestPki other_pki(other.path() / "pki");
  SmtpSettings settings = smtp_settings(server.port());
  settings.ca_file = other_pki.ca();
  SmtpClient client(settings);
  const auto outcome = client.send(email_to("citoyen@example.org"));
  EXPECT_EQ(outcome.outcome, Outcome::temporary_failure);
  EXPECT_EQ(outcome.reason, "smtp_tls_handshake");
  // And a certificate for another name is refused as well.
  SmtpSettings wrong_name = smtp_settings(server.port());
  wrong_name.server_name = "smtp.example.org";
  EXPECT_EQ(SmtpClient(wrong_name).send(email_to("citoyen@example.org")).reason, "smtp_tls_handshake");
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(NotifyChannels, WrongPasswordAndServerDownAreReported) {
  SmtpTestServer server(work_.path(), pki_->server_cert(), pki_->server_key());
  server.start();
  SmtpSettings settings = smtp_settings(server.port());
  settings.password = "wrong";
  const auto refused = SmtpClient(settings).send(email_to("citoyen@example.org"));
  EXPECT_EQ(refused.outcome, Outcome::temporary_failure);  // waits for the operator's fix
  EXPECT_EQ(refused.reason, "smtp_auth_535");
  const std::uint16_t port = server.port();
  server.stop();
  const auto down = SmtpClient(smtp_settings(port)).send(email_to("citoyen@example.org"));
  EXPECT_EQ(down.outcome, Outcome::temporary_failure);
  EXPECT_EQ(down.reason, "smtp_connect");
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(NotifyChannels, SmsInGsm7AndUcs2ReachTheSmsCentre) {
  KannelTestServer kannel(work_.path() / "kannel");
  kannel.start();
  SmsSettings settings;
  settings.port = kannel.sendsms_port();
  settings.username = kannel.username();
  settings.password = kannel.password();
  settings.from = "QUEBEC";
  KannelClient client(settings);
  const auto gsm = client.send({"+15145550123", "Rappel : été à payer", SmsCoding::gsm7, 1});
  ASSERT_EQ(gsm.outcome, Outcome::sent) << gsm.reason;
  const auto ucs2 = client.send({"+15145550124", "Votre fête", SmsCoding::ucs2, 2});
  ASSERT_EQ(ucs2.outcome, Outcome::sent) << ucs2.reason;
  ASSERT_TRUE(wait_for([&] { return kannel.received().size() >= 2; }));
  auto received = kannel.received();
  std::sort(received.begin(), received.end(), [](auto& a, auto& b) { return a.to < b.to; });
  EXPECT_EQ(received[0].from, "QUEBEC");
  EXPECT_EQ(received[0].to, "+15145550123");
  EXPECT_EQ(received[0].type, "text");
  EXPECT_EQ(received[0].text, "Rappel : été à payer");
  EXPECT_EQ(received[1].type, "ucs-2");
  EXPECT_EQ(received[1].text, "%00V%00o%00t%00r%00e%00+%00f%00%EA%00t%00e");
}

TEST_F(NotifyChannels, KannelRefusalsAndOutages) {
  KannelTestServer kannel(work_.path() / "kannel");
  kannel.start();
  SmsSettings settings;
  settings.port = kannel.sendsms_port();
  settings.username = kannel.username();
  settings.password = "wrong";
  settings.timeout = std::chrono::seconds(5);
  const auto refused = KannelClient(settings).send({"+15145550123", "x", SmsCoding::gsm7, 1});
  EXPECT_EQ(refused.outcome, Outcome::permanent_failure);
  EXPECT_EQ(refused.reason, "kannel_403");
  kannel.stop();
  settings.password = kannel.password();
  const auto down = KannelClient(settings).send({"+15145550123", "x", SmsCoding::gsm7, 1});
  EXPECT_EQ(down.outcome, Outcome::temporary_failure);
  EXPECT_EQ(down.reason, "kannel_connect");
}

}  // namespace
}  // namespace pse::notify

// pse-notify against a real broker (real mTLS, policy, consent and audit): contact
// preferences come through a consent-checked exchange with Services Québec's connector, then
// the email (aiosmtpd) and the SMS (Kannel) go out at the scheduled time, and Kannel's
// delivery report comes back to pse-notify's loopback endpoint.
#include "notify_broker_fixture.hpp"

#include "notify_service.hpp"

#include <pse/client.hpp>

#include <gmock/gmock.h>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;
using namespace pse::notify::testing;
using namespace std::chrono;
namespace json = boost::json;

TEST_F(NotifyBroker, ContactPreferencesOnlyWithTheCitizensConsent) {
  start_broker();
  auto services_quebec = start_services_quebec();
  Client client(sdk_options(pse_notify_));
  BrokerGateway gateway(client);
  auto before = gateway.preferences("QC-EN", "citizen_notification");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().reason, Reason::consent_missing);
  grant("QC-EN", "citizen_notification");
  auto after = gateway.preferences("QC-EN", "citizen_notification");
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->email);
  EXPECT_TRUE(after->sms);
  EXPECT_EQ(after->email_address, "john@example.org");
  EXPECT_EQ(after->language, Language::en);
  ASSERT_TRUE(after->quiet_hours);
  EXPECT_EQ(after->quiet_hours->start_minutes, 21 * 60);
  // Consent to notices is not consent to suggestions.
  auto suggestions = gateway.preferences("QC-EN", "service_suggestions");
  ASSERT_FALSE(suggestions);
  EXPECT_TRUE(is_consent_refusal(suggestions.error().reason)) << to_string(suggestions.error().reason);
}

TEST_F(NotifyBroker, ANoticeGoesOutByEmailAndSmsAndTheSmsIsReportedDelivered) {
  start_broker();
  auto services_quebec = start_services_quebec();
  grant("QC-EN", "citizen_notification");
  pse::testing::TempDir work;
  SmtpTestServer smtp(work.path() / "smtp", pki_->server_cert(), pki_->server_key());
  smtp.start();
  KannelTestServer kannel(work.path() / "kannel");
  kannel.start();
  ManualClock clock(utc("2026-11-02T12:00"));
  NotifyService service(config(work.path(), smtp.port(), kannel.sendsms_port()), clock);

  Delivery delivery;
  delivery.id = "dlv-1";
  delivery.event_id = "evt_0001";
  delivery.publisher = "saaq";
  delivery.category = "notice.renewal_due";
  delivery.purpose = "citizen_notification";
  delivery.subject = "QC-EN";
  delivery.record = {{"template", "renewal-reminder"}, {"due_date", "2026-12-10"}, {"reference", "L1234-567"},
                     {"service_name", "driver's licence"}};
  ASSERT_TRUE(service.on_delivery(delivery));
  ASSERT_TRUE(service.on_delivery(delivery));  // delivered twice (at least once): recorded once
  EXPECT_EQ(service.store().sends_of("evt_0001").size(), 4u);

  Delivery nobody = delivery;
  nobody.event_id = "evt_0002";
  nobody.subject = "QC-NOBODY";
  ASSERT_TRUE(service.on_delivery(nobody));
  EXPECT_EQ(service.store().notice("evt_0002")->outcome, "skipped");
  EXPECT_EQ(service.store().notice("evt_0002")->reason, "consent_missing");

  service.tick();
  EXPECT_TRUE(smtp.messages().empty());
  clock.set(utc("2026-11-10T15:00"));  // 10:00 in Québec, 30 days before
  service.tick();
  const auto mail = smtp.messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_THAT(mail[0], HasSubstr("X-Envelope-To: john@example.org"));
  EXPECT_THAT(mail[0], HasSubstr("Your driver's licence (file L1234-567) must be renewed by 2026-12-10."));
  ASSERT_TRUE(wait_for([&] { return !kannel.received().empty(); }));
  EXPECT_EQ(kannel.received()[0].text, "Reminder: your driver's licence (file L1234-567) must be renewed by 2026-12-10.");

  // fakesmsc's SMS centre acknowledges delivery; Kannel calls our loopback endpoint.
  ASSERT_TRUE(wait_for([&] {
    for (const auto& send : service.store().sends_of("evt_0001")) {
      if (send.channel == "sms" && send.state == SendState::delivered) return true;
    }
    return false;
  }));
  // Prometheus scrapes the same loopback endpoint.
  const std::string metrics =
      pse::testing::run_command("curl -sf http://127.0.0.1:" + std::to_string(service.http_port()) + "/metrics");
  EXPECT_THAT(metrics, HasSubstr("pse_notify_sends{state=\"delivered\"} 1\n"));
  EXPECT_THAT(metrics, ::testing::Not(HasSubstr("john@")));
  // Forged delivery reports (without the token, or with a wrong one of its length) are
  // refused and counted.
  EXPECT_THROW(pse::testing::run_command("curl -sf 'http://127.0.0.1:" + std::to_string(service.http_port()) +
                                         "/kannel/dlr?send=1&type=2'"),
               std::runtime_error);
  EXPECT_THROW(pse::testing::run_command("curl -sf 'http://127.0.0.1:" + std::to_string(service.http_port()) +
                                         "/kannel/dlr?token=" + std::string(32, '0') + "&send=1&type=2'"),
               std::runtime_error);
  EXPECT_THAT(pse::testing::run_command("curl -sf http://127.0.0.1:" + std::to_string(service.http_port()) + "/metrics"),
              HasSubstr("pse_notify_delivery_reports_refused_total{reason=\"bad_token\"} 2\n"));
  EXPECT_THAT(metrics, HasSubstr("pse_notify_delivered_total{channel=\"sms\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("pse_notify_skipped_for_consent_total{purpose=\"citizen_notification\"} 1\n"));
}

// What SAAQ's subscriber to notice.status receives.
class StatusInbox {
 public:
  Status take(const Delivery& delivery) {
    std::lock_guard lock(mutex_);
    received_.push_back(delivery);
    return Done{};
  }
  std::vector<Delivery> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  /// "event/status/reason" of each delivery, in arrival order.
  std::vector<std::string> summary(const std::map<std::string, std::string>& names) const {
    std::vector<std::string> out;
    for (const auto& d : received()) {
      const std::string event(d.record.at("notice_event_id").as_string());
      out.push_back(names.at(event) + "/" + std::string(d.record.at("channel").as_string()) + "/" +
                    std::string(d.record.at("status").as_string()) + "/" + std::string(d.record.at("reason").as_string()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Delivery> received_;
};

TEST_F(NotifyBroker, EndToEndAPublishedNoticeBecomesMessagesAndItsStatusesGoBackToTheBody) {
  start_broker();
  auto services_quebec = start_services_quebec();
  grant("QC-EN", "citizen_notification");
  pse::testing::TempDir work;
  SmtpTestServer smtp(work.path() / "smtp", pki_->server_cert(), pki_->server_key());
  smtp.start();
  KannelTestServer kannel(work.path() / "kannel");
  kannel.start();
  ManualClock clock(utc("2026-11-02T12:00"));
  NotifyService service(config(work.path(), smtp.port(), kannel.sendsms_port()), clock);
  auto ready = service.start(seconds(10));
  ASSERT_TRUE(ready) << ready.error().message;

  // SAAQ follows its notices' statuses.
  StatusInbox inbox;
  Provider saaq_subscriber(sdk_options(saaq_));
  saaq_subscriber.subscribe({{"notice.status", "notice_tracking"}}, [&](const Delivery& d) { return inbox.take(d); });
  ASSERT_TRUE(saaq_subscriber.start());
  ASSERT_TRUE(saaq_subscriber.wait_ready(seconds(10)));

  Client saaq(sdk_options(saaq_));
  auto publish = [&](const std::string& key, const std::string& subject, const std::string& template_id) {
    PublishRequest request;
    request.category = "notice.renewal_due";
    request.subject = subject;
    request.idempotency_key = key;
    request.record = {{"template", template_id}, {"due_date", "2026-12-10"}, {"reference", "L1234-567"},
                      {"service_name", "driver's licence"}};
    auto published = saaq.publish(request);
    EXPECT_TRUE(published) << published.error().message;
    return published ? published->event_id : std::string();
  };
  std::map<std::string, std::string> names;
  names[publish("saaq-renewal-0001", "QC-EN", "renewal-reminder")] = "ok";
  names[publish("saaq-renewal-0002", "QC-NOBODY", "renewal-reminder")] = "noconsent";
  names[publish("saaq-renewal-0003", "QC-EN", "no-such-template")] = "malformed";
  ASSERT_TRUE(wait_for([&] {
    for (const auto& [event, name] : names) {
      if (!service.store().has_notice(event)) return false;
    }
    return true;
  }));

  service.tick();  // nothing due yet; the statuses so far go back to SAAQ
  ASSERT_TRUE(wait_for([&] { return inbox.received().size() >= 6; }));
  clock.set(utc("2026-11-10T15:00"));
  service.tick();
  ASSERT_EQ(smtp.messages().size(), 1u);
  EXPECT_THAT(smtp.messages()[0], HasSubstr("Content-Language: en"));
  ASSERT_TRUE(wait_for([&] { return !kannel.received().empty(); }));
  std::string ok_event;
  for (const auto& [event, name] : names) {
    if (name == "ok") ok_event = event;
  }
  ASSERT_TRUE(wait_for([&] {
    for (const auto& send : service.store().sends_of(ok_event)) {
      if (send.channel == "sms" && send.state == SendState::delivered) return true;
    }
    return false;
  }));
  service.tick();
  ASSERT_TRUE(wait_for([&] { return inbox.received().size() >= 9; }));
  EXPECT_EQ(inbox.summary(names), (std::vector<std::string>{
                                      "malformed/none/permanent-failure/unknown_template",
                                      "noconsent/none/skipped/consent_missing",
                                      "ok/email/created/", "ok/email/created/", "ok/email/sent/",
                                      "ok/sms/created/", "ok/sms/created/", "ok/sms/delivered/", "ok/sms/sent/"}));
  for (const auto& d : inbox.received()) {
    EXPECT_EQ(d.publisher, "pse-notify");
    EXPECT_EQ(d.category, "notice.status");
    EXPECT_EQ(d.subject, names.at(std::string(d.record.at("notice_event_id").as_string())) == "noconsent" ? "QC-NOBODY"
                                                                                                       : "QC-EN");
  }
  saaq_subscriber.stop();
}

}  // namespace
}  // namespace pse::notify

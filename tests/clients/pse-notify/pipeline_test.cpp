// A notice through the whole of pse-notify but the broker: intake (checks, consent-checked
// preferences, plan), the durable schedule and the dispatcher, with a manual clock, against a
// real SMTP server (aiosmtpd) and a real Kannel. The directory of contact preferences stands
// in for the broker's consent-checked exchange (the broker test covers that part).
#include "dispatcher.hpp"
#include "notice_intake.hpp"
#include "kannel_client.hpp"
#include "quebec_time.hpp"
#include "real_servers.hpp"
#include "smtp_client.hpp"

#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;
using pse::testing::TempDir;
using pse::testing::TestPki;
using namespace pse::notify::testing;
using namespace std::chrono;

Instant utc(const std::string& text) {
  return Instant(sys_days(*parse_date(text.substr(0, 10))).time_since_epoch() + minutes(*parse_minutes(text.substr(11, 5))));
}

// Preferences by subject and purpose; anything absent is "no consent".
class Directory final : public ContactDirectory {
 public:
  Result<ContactPreferences> preferences(const std::string& subject, const std::string& purpose) override {
    std::lock_guard lock(mutex_);
    ++calls;
    if (unavailable) return make_error(Reason::provider_unavailable, "broker down");
    auto it = entries.find(subject + "/" + purpose);
    if (it == entries.end()) return make_error(Reason::consent_missing, "no consent");
    return it->second;
  }
  std::mutex mutex_;
  std::map<std::string, ContactPreferences> entries;
  bool unavailable = false;
  int calls = 0;
};

class Statuses final : public StatusPublisher {
 public:
  Status publish(const StatusRow& status) override {
    published.push_back({status.publisher, boost::json::parse(status.record_json).as_object()});
    return Done{};
  }
  std::vector<std::pair<std::string, boost::json::object>> published;
  std::vector<std::string> of(const std::string& field) const {
    std::vector<std::string> out;
    for (const auto& [body, record] : published) out.emplace_back(record.at(field).as_string());
    return out;
  }
};

class NotifyPipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_ = new TestPki(dir_->path() / "pki");
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  void SetUp() override {
    smtp_server_.start();
    config_.store_file = work_ / "notify.db";
    config_.smtp.host = "127.0.0.1";
    config_.smtp.server_name = "localhost";
    config_.smtp.port = smtp_server_.port();
    config_.smtp.ca_file = pki_->ca();
    config_.smtp.username = "pse-notify";
    config_.smtp.password = "s3cret";
    config_.smtp.timeout = seconds(5);
    config_.schedule.categories["notice.payment_due"] = {{14, 3}, "payment-suggestion"};
    templates_.emplace(TemplateSet::load(PSE_SOURCE_DIR "/config/notify/templates.yaml"));
    ContactPreferences fr;
    fr.email = fr.sms = true;
    fr.email_address = "marie@example.org";
    fr.mobile = "+15145550123";
    fr.language = Language::fr;
    directory_.entries["QC-FR/citizen_notification"] = fr;
    ContactPreferences en = fr;
    en.email_address = "john@example.org";
    en.mobile = "+15145550199";
    en.language = Language::en;
    directory_.entries["QC-EN/citizen_notification"] = en;
    open();
  }

  void start_kannel() {
    kannel_.start();
    config_.sms.port = kannel_.sendsms_port();
    config_.sms.username = kannel_.username();
    config_.sms.password = kannel_.password();
    open();
  }

  // (Re)opens the store and builds the service parts, as a restart of pse-notify would.
  void open() {
    dispatcher_.reset();
    intake_.reset();
    limiter_.reset();
    store_.reset();
    store_ = std::make_unique<ScheduleStore>(config_.store_file);
    limiter_ = std::make_unique<RateLimiter>(config_.default_limits, config_.body_limits,
                                             [this](const std::string& body, Instant since) {
                                               return store_->notices_since(body, since);
                                             });
    email_ = std::make_unique<SmtpClient>(config_.smtp);
    sms_ = std::make_unique<KannelClient>(config_.sms);
    intake_ = std::make_unique<NoticeIntake>(config_, *templates_, *store_, directory_, *limiter_, metrics_, clock_);
    dispatcher_ = std::make_unique<Dispatcher>(config_, *templates_, *store_, directory_, *email_, *sms_, metrics_, clock_);
  }

  static IncomingNotice renewal(const std::string& event_id, const std::string& subject) {
    return {event_id, "saaq", "notice.renewal_due", subject,
            boost::json::object{{"template", "renewal-reminder"}, {"due_date", "2026-12-10"},
                                {"reference", "L1234-567"}, {"service_name", "permis de conduire"}}};
  }

  static TempDir* dir_;
  static TestPki* pki_;
  TempDir work_;
  SmtpTestServer smtp_server_{work_.path() / "smtp", pki_->server_cert(), pki_->server_key()};
  KannelTestServer kannel_{work_.path() / "kannel"};
  NotifyConfig config_;
  std::optional<TemplateSet> templates_;
  ManualClock clock_{utc("2026-11-02T12:00")};
  Directory directory_;
  Metrics metrics_;
  Statuses statuses_;
  std::unique_ptr<ScheduleStore> store_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<SmtpClient> email_;
  std::unique_ptr<KannelClient> sms_;
  std::unique_ptr<NoticeIntake> intake_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TempDir* NotifyPipeline::dir_ = nullptr;
TestPki* NotifyPipeline::pki_ = nullptr;

TEST_F(NotifyPipeline, ANoticeBecomesAnEmailAndAnSmsInTheCitizensLanguageAtTheScheduledTime) {
  start_kannel();
  auto accepted = intake_->accept(renewal("evt_a1", "QC-EN"));
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->outcome, IntakeOutcome::accepted);
  EXPECT_EQ(accepted->sends, 4u);  // 30 and 7 days before, email and SMS
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);  // nothing before 2026-11-10 10:00 in Québec
  clock_.set(utc("2026-11-10T14:59"));
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);
  clock_.set(utc("2026-11-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().sent, 2u);
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);  // not twice

  const auto mail = smtp_server_.messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_THAT(mail[0], HasSubstr("X-Envelope-To: john@example.org\r\n"));
  EXPECT_THAT(mail[0], HasSubstr("Content-Language: en\r\n"));
  EXPECT_THAT(mail[0], HasSubstr("Your permis de conduire (file L1234-567) must be renewed by 2026-12-10."));
  ASSERT_TRUE(wait_for([&] { return !kannel_.received().empty(); }));
  const auto sms = kannel_.received();
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0].to, "+15145550199");
  EXPECT_EQ(sms[0].text, "Reminder: your permis de conduire (file L1234-567) must be renewed by 2026-12-10.");

  // The body hears about each send: created, then sent.
  EXPECT_EQ(dispatcher_->publish_statuses(statuses_), 6u);
  EXPECT_EQ(statuses_.of("status"), (std::vector<std::string>{"created", "created", "created", "created", "sent", "sent"}));
  EXPECT_EQ(statuses_.published[0].first, "saaq");
  EXPECT_EQ(statuses_.of("notice_event_id")[5], "evt_a1");
  EXPECT_THAT(metrics_.prometheus_text(), HasSubstr("pse_notify_sent_total{channel=\"email\"} 1\n"));
}

TEST_F(NotifyPipeline, FrenchCitizenGetsFrenchFirstAndUcs2WhenTheTextNeedsIt) {
  start_kannel();
  ASSERT_TRUE(intake_->accept(renewal("evt_f1", "QC-FR")));
  clock_.set(utc("2026-11-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().sent, 2u);
  const auto mail = smtp_server_.messages();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_THAT(mail[0], HasSubstr("Content-Language: fr\r\n"));
  // "Rappel : renouvellement – permis de conduire / Reminder: renewal – permis de conduire"
  EXPECT_THAT(mail[0], HasSubstr("Subject: =?UTF-8?B?UmFwcGVsIDogcmVub3V2ZWxsZW1lbnQg4oCTIHBlcm1pcyBkZSBjb25kdWly?=\r\n"));
  EXPECT_THAT(mail[0], HasSubstr("doit =C3=AAtre renouvel=C3=A9"));
  ASSERT_TRUE(wait_for([&] { return !kannel_.received().empty(); }));
  // "à renouveler d'ici" has à (GSM-7) but no ê: GSM-7, sent as text.
  EXPECT_EQ(kannel_.received()[0].type, "text");
  EXPECT_EQ(kannel_.received()[0].text,
            "Rappel : votre permis de conduire (dossier L1234-567) est à renouveler d'ici le 2026-12-10.");
}

TEST_F(NotifyPipeline, NoConsentNoMessageAndARecordedSkip) {
  auto skipped = intake_->accept(renewal("evt_n1", "QC-NOBODY"));
  ASSERT_TRUE(skipped);
  EXPECT_EQ(skipped->outcome, IntakeOutcome::skipped);
  EXPECT_EQ(skipped->reason, "consent_missing");
  EXPECT_EQ(store_->notice("evt_n1")->outcome, "skipped");
  clock_.set(utc("2026-12-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);
  EXPECT_TRUE(smtp_server_.messages().empty());
  dispatcher_->publish_statuses(statuses_);
  ASSERT_EQ(statuses_.published.size(), 1u);
  EXPECT_EQ(statuses_.of("status")[0], "skipped");
  EXPECT_EQ(statuses_.of("reason")[0], "consent_missing");
  EXPECT_THAT(metrics_.prometheus_text(),
              HasSubstr("pse_notify_skipped_for_consent_total{purpose=\"citizen_notification\"} 1\n"));
}

TEST_F(NotifyPipeline, ConsentRevokedAfterTheNoticeStopsTheMessage) {
  ContactPreferences email_only = directory_.entries["QC-FR/citizen_notification"];
  email_only.sms = false;
  directory_.entries["QC-FR/citizen_notification"] = email_only;
  ASSERT_TRUE(intake_->accept(renewal("evt_r1", "QC-FR")));
  directory_.entries.erase("QC-FR/citizen_notification");
  clock_.set(utc("2026-11-10T15:00"));
  const auto counts = dispatcher_->run_due();
  EXPECT_EQ(counts.sent, 0u);
  EXPECT_EQ(counts.skipped, 1u);
  EXPECT_TRUE(smtp_server_.messages().empty());
  EXPECT_EQ(store_->sends_of("evt_r1")[0].state, SendState::skipped);
  EXPECT_EQ(store_->sends_of("evt_r1")[0].reason, "consent_missing");
}

TEST_F(NotifyPipeline, QuietHoursAreRespected) {
  ContactPreferences prefs = directory_.entries["QC-FR/citizen_notification"];
  prefs.sms = false;
  prefs.quiet_hours = QuietHours{9 * 60, 13 * 60};  // 09:00–13:00: the 10:00 send waits until 13:00
  directory_.entries["QC-FR/citizen_notification"] = prefs;
  ASSERT_TRUE(intake_->accept(renewal("evt_q1", "QC-FR")));
  EXPECT_EQ(format_utc(store_->sends_of("evt_q1")[0].next_attempt_at), "2026-11-10T18:00:00Z");
  clock_.set(utc("2026-11-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);
  // The citizen widens the quiet hours after the plan: the send waits again, costing no attempt.
  prefs.quiet_hours = QuietHours{9 * 60, 14 * 60};
  directory_.entries["QC-FR/citizen_notification"] = prefs;
  clock_.set(utc("2026-11-10T18:00"));
  const auto deferred = dispatcher_->run_due();
  EXPECT_EQ(deferred.sent, 0u);
  EXPECT_EQ(deferred.deferred, 1u);
  EXPECT_TRUE(smtp_server_.messages().empty());
  clock_.set(utc("2026-11-10T19:00"));
  EXPECT_EQ(dispatcher_->run_due().sent, 1u);
  EXPECT_EQ(smtp_server_.messages().size(), 1u);
  EXPECT_EQ(store_->sends_of("evt_q1")[0].attempts, 1);
}

TEST_F(NotifyPipeline, SmtpServerDownThenUpIsRetriedAndDeliveredOnce) {
  ContactPreferences prefs = directory_.entries["QC-FR/citizen_notification"];
  prefs.sms = false;
  directory_.entries["QC-FR/citizen_notification"] = prefs;
  ASSERT_TRUE(intake_->accept(renewal("evt_d1", "QC-FR")));
  const std::uint16_t port = smtp_server_.port();
  smtp_server_.stop();
  clock_.set(utc("2026-11-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().failed, 1u);
  auto send = store_->sends_of("evt_d1")[0];
  EXPECT_EQ(send.state, SendState::temporary_failure);
  EXPECT_EQ(send.reason, "smtp_connect");
  EXPECT_EQ(send.next_attempt_at, utc("2026-11-10T15:01"));  // first backoff: 60 s
  clock_.advance(seconds(60));
  EXPECT_EQ(dispatcher_->run_due().failed, 1u);
  EXPECT_EQ(store_->sends_of("evt_d1")[0].next_attempt_at, utc("2026-11-10T15:03"));  // then 120 s

  smtp_server_.start(port);
  clock_.advance(seconds(119));
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);  // not yet time
  clock_.advance(seconds(1));
  EXPECT_EQ(dispatcher_->run_due().sent, 1u);
  clock_.advance(hours(1));
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);
  EXPECT_EQ(smtp_server_.messages().size(), 1u);
  send = store_->sends_of("evt_d1")[0];
  EXPECT_EQ(send.state, SendState::sent);
  EXPECT_EQ(send.attempts, 3);
  dispatcher_->publish_statuses(statuses_);
  EXPECT_EQ(statuses_.of("status"),
            (std::vector<std::string>{"created", "created", "temporary-failure", "temporary-failure", "sent"}));
}

TEST_F(NotifyPipeline, PermanentFailureIsReportedBack) {
  ContactPreferences prefs = directory_.entries["QC-FR/citizen_notification"];
  prefs.sms = false;
  prefs.email_address = "reject-me@example.org";
  directory_.entries["QC-FR/citizen_notification"] = prefs;
  ASSERT_TRUE(intake_->accept(renewal("evt_p1", "QC-FR")));
  clock_.set(utc("2026-11-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().failed, 1u);
  dispatcher_->publish_statuses(statuses_);
  ASSERT_EQ(statuses_.published.size(), 3u);
  EXPECT_EQ(statuses_.of("status")[2], "permanent-failure");
  EXPECT_EQ(statuses_.of("reason")[2], "smtp_rcpt_550");
  EXPECT_EQ(statuses_.of("channel")[2], "email");
  clock_.advance(hours(24));
  EXPECT_EQ(dispatcher_->run_due().failed, 0u);  // not retried
}

TEST_F(NotifyPipeline, MalformedNoticesAreRejectedWithAReasonForTheSender) {
  IncomingNotice unknown = renewal("evt_m1", "QC-FR");
  unknown.record["template"] = "no-such-template";
  IncomingNotice missing{"evt_m2", "revenu-quebec", "notice.payment_due", "QC-FR",
                         boost::json::object{{"template", "payment-reminder"}, {"due_date", "2026-12-10"},
                                             {"reference", "R-1"}, {"service_name", "impôt"}}};
  IncomingNotice bad_date = renewal("evt_m3", "QC-FR");
  bad_date.record["due_date"] = "10/12/2026";
  IncomingNotice wrong_category = renewal("evt_m4", "QC-FR");
  wrong_category.category = "notice.appointment";
  for (const auto& notice : {unknown, missing, bad_date, wrong_category}) {
    auto result = intake_->accept(notice);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, IntakeOutcome::rejected) << notice.event_id;
  }
  dispatcher_->publish_statuses(statuses_);
  EXPECT_EQ(statuses_.of("reason"), (std::vector<std::string>{"unknown_template", "missing_value: amount",
                                                               "invalid_value: due_date",
                                                               "template_category_mismatch: notice.renewal_due"}));
  EXPECT_EQ(statuses_.of("status")[0], "permanent-failure");
  EXPECT_EQ(statuses_.published[1].first, "revenu-quebec");
  EXPECT_EQ(directory_.calls, 0);  // nothing asked about the citizen for a notice we cannot send
}

TEST_F(NotifyPipeline, RestartNeverSendsTwice) {
  ContactPreferences prefs = directory_.entries["QC-FR/citizen_notification"];
  prefs.sms = false;
  directory_.entries["QC-FR/citizen_notification"] = prefs;
  ASSERT_TRUE(intake_->accept(renewal("evt_s1", "QC-FR")));
  clock_.set(utc("2026-11-10T15:00"));
  EXPECT_EQ(dispatcher_->run_due().sent, 1u);
  open();  // a restart
  EXPECT_EQ(dispatcher_->recover_interrupted(), 0u);
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);
  EXPECT_EQ(intake_->accept(renewal("evt_s1", "QC-FR"))->outcome, IntakeOutcome::duplicate);  // redelivered
  // A crash between "sending" and the server's answer: the send is not tried again.
  clock_.set(utc("2026-12-03T15:00"));
  const auto due = store_->due(clock_.now(), 10);
  ASSERT_EQ(due.size(), 1u);
  ASSERT_TRUE(store_->claim(due[0].send.id, clock_.now()));
  open();
  EXPECT_EQ(dispatcher_->recover_interrupted(), 1u);
  EXPECT_EQ(dispatcher_->run_due().sent, 0u);
  EXPECT_EQ(store_->sends_of("evt_s1")[1].state, SendState::permanent_failure);
  EXPECT_EQ(store_->sends_of("evt_s1")[1].reason, "outcome_unknown");
  EXPECT_EQ(smtp_server_.messages().size(), 1u);
}

TEST_F(NotifyPipeline, BodyLimitsAnswerWithAStatus) {
  config_.body_limits["saaq"] = {1, 100};
  open();
  EXPECT_EQ(intake_->accept(renewal("evt_l1", "QC-FR"))->outcome, IntakeOutcome::accepted);
  auto refused = intake_->accept(renewal("evt_l2", "QC-FR"));
  EXPECT_EQ(refused->outcome, IntakeOutcome::refused);
  EXPECT_EQ(refused->reason, "rate_limited");
  clock_.advance(seconds(60));
  EXPECT_EQ(intake_->accept(renewal("evt_l3", "QC-FR"))->outcome, IntakeOutcome::accepted);
  dispatcher_->publish_statuses(statuses_);
  bool reported = false;
  for (const auto& [body, record] : statuses_.published) {
    if (record.at("notice_event_id") == "evt_l2") {
      reported = true;
      EXPECT_EQ(record.at("status"), "permanent-failure");
      EXPECT_EQ(record.at("reason"), "rate_limited");
    }
  }
  EXPECT_TRUE(reported);
}

TEST_F(NotifyPipeline, BrokerUnreachableMeansDeliverAgainLater) {
  directory_.unavailable = true;
  auto result = intake_->accept(renewal("evt_u1", "QC-FR"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, Reason::provider_unavailable);
  EXPECT_FALSE(store_->has_notice("evt_u1"));  // nothing recorded: the broker redelivers
  directory_.unavailable = false;
  EXPECT_EQ(intake_->accept(renewal("evt_u1", "QC-FR"))->outcome, IntakeOutcome::accepted);
}

TEST_F(NotifyPipeline, SuggestionsOnlyWithConsentToThatPurpose) {
  IncomingNotice payment{"evt_g1", "revenu-quebec", "notice.payment_due", "QC-FR",
                         boost::json::object{{"template", "payment-reminder"}, {"due_date", "2026-12-10"},
                                             {"reference", "R-1"}, {"service_name", "impôt"}, {"amount", "120,50"}}};
  ContactPreferences prefs = directory_.entries["QC-FR/citizen_notification"];
  prefs.sms = false;
  directory_.entries["QC-FR/citizen_notification"] = prefs;
  ASSERT_TRUE(intake_->accept(payment));
  auto sends = store_->sends_of("evt_g1");
  ASSERT_EQ(sends.size(), 3u);  // 14 and 3 days before, and the suggestion, skipped
  EXPECT_EQ(sends[2].template_id, "payment-suggestion");
  EXPECT_EQ(sends[2].state, SendState::skipped);
  EXPECT_EQ(sends[2].reason, "consent_missing");

  directory_.entries["QC-EN/service_suggestions"] = directory_.entries["QC-EN/citizen_notification"];
  payment.event_id = "evt_g2";
  payment.subject = "QC-EN";
  ASSERT_TRUE(intake_->accept(payment));
  sends = store_->sends_of("evt_g2");
  ASSERT_EQ(sends.size(), 5u);  // 2 reminders × 2 channels + the suggestion
  EXPECT_EQ(sends[4].state, SendState::created);
  EXPECT_EQ(sends[4].purpose, "service_suggestions");
  clock_.set(utc("2026-11-26T15:01"));  // 14 days before, 10:00 EST, and a minute
  directory_.entries.erase("QC-EN/citizen_notification");
  prefs.sms = false;
  ContactPreferences en_email = directory_.entries["QC-EN/service_suggestions"];
  en_email.sms = false;
  directory_.entries["QC-EN/service_suggestions"] = en_email;
  const auto counts = dispatcher_->run_due();
  // Marie's first reminder (evt_g1), and John's suggestion only: his reminders lost their consent.
  EXPECT_EQ(counts.sent, 2u);
  EXPECT_EQ(counts.skipped, 2u);
  const auto mail = smtp_server_.messages();
  ASSERT_EQ(mail.size(), 2u);
  const std::string& to_john = mail[0].find("john@") != std::string::npos ? mail[0] : mail[1];
  EXPECT_THAT(to_john, HasSubstr("X-Envelope-To: john@example.org"));
  EXPECT_THAT(to_john, HasSubstr("pre-authorized debit"));
}

}  // namespace
}  // namespace pse::notify

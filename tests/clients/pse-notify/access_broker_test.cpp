// The obligation notify_subject end to end: a real broker (policy, consent, audit, publish
// pipeline), real connectors, the real pse-notify service and a real SMTP server (aiosmtpd).
// An allowed exchange under a rule with notify_subject makes the hub publish an access notice
// in the provider's name; pse-notify reads the citizen's preferences with consent and emails
// them, French first, at once or in the next day's digest.
#include "notify_broker_fixture.hpp"

#include "access_notice.hpp"
#include "notify_service.hpp"

#include "broker/exchange/disclosure_notices.hpp"
#include "broker/pubsub/publish_pipeline.hpp"

#include <pse/client.hpp>

#include <gmock/gmock.h>

namespace pse::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace pse::notify::testing;
using namespace std::chrono;
namespace json = boost::json;

// The text/plain part of a stored message, quoted-printable decoded.
std::string plain_text(const std::string& message) {
  const std::string marker = "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  const std::size_t start = message.find(marker);
  if (start == std::string::npos) return {};
  const std::size_t end = message.find("\r\n--", start);
  const std::string encoded = message.substr(start + marker.size(), end - start - marker.size());
  std::string text;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '=' && encoded.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;  // soft line break
    } else if (encoded[i] == '=' && i + 2 < encoded.size()) {
      text += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (encoded[i] != '\r') {
      text += encoded[i];
    }
  }
  return text;
}

class AccessNotices : public NotifyBroker {
 protected:
  void SetUp() override {
    start_broker();
    Accounts accounts = default_accounts();
    accounts["QC-FR"] = {{"channel", "email"}, {"email", "marie@example.org"}, {"language", "fr"},
                         {"access_notices", "each"}};
    accounts["QC-DAILY"] = {{"channel", "email"}, {"email", "paul@example.org"}, {"language", "en"},
                            {"quiet_hours_start", "22:00"}, {"quiet_hours_end", "07:00"}, {"access_notices", "daily"}};
    accounts["QC-NOCONSENT"] = {{"channel", "email"}, {"email", "anne@example.org"}, {"access_notices", "each"}};
    services_quebec_connector_ = start_services_quebec(accounts);
    smtp_ = std::make_unique<SmtpTestServer>(work_.path() / "smtp", pki_->server_cert(), pki_->server_key());
    smtp_->start();
    service_ = std::make_unique<NotifyService>(config(work_.path(), smtp_->port()), clock_);
    auto ready = service_->start(seconds(10));
    ASSERT_TRUE(ready) << ready.error().message;
  }

  void TearDown() override {
    service_.reset();
    services_quebec_connector_.reset();
    NotifyBroker::TearDown();
  }

  /// SAAQ reads the citizen's address (rule saaq-address-change: consent, notify_subject).
  ExchangeResponse saaq_reads_address(const std::string& subject, const std::string& request_id) {
    return reads_address(saaq_, subject, request_id);
  }

  ExchangeResponse reads_address(const pse::testing::ClientIdentity& who, const std::string& subject,
                                 const std::string& request_id) {
    Client client(sdk_options(who));
    auto answer = client.exchange(request(subject, "services-quebec", "identity.address", "address_update", request_id));
    EXPECT_TRUE(answer) << (answer ? "" : answer.error().message);
    return answer ? *answer : ExchangeResponse{};
  }

  static ExchangeRequest request(const std::string& subject, const std::string& provider, const std::string& category,
                                 const std::string& purpose, const std::string& request_id = "") {
    ExchangeRequest r;
    r.subject = subject;
    r.provider = provider;
    r.category = category;
    r.purpose = purpose;
    if (!request_id.empty()) r.request_id = request_id;
    return r;
  }

  /// The event id of the access notice the hub publishes for an exchange.
  static std::string notice_event(const std::string& provider, const ExchangeResponse& answer) {
    broker::DisclosureNotice notice;
    notice.audit_seq = answer.audit_seq;
    notice.request_id = answer.request_id;
    return broker::event_id_for(provider, broker::disclosure_idempotency_key(notice));
  }

  bool arrived(const std::string& event_id) {
    return wait_for([&] { return service_->store().has_notice(event_id); });
  }

  std::size_t access_audit_entries() const {
    std::size_t count = 0;
    for (const auto& entry : audit_entries()) count += entry.category == "notice.data_access";
    return count;
  }

  pse::testing::TempDir work_;
  ManualClock clock_{utc("2026-11-10T15:00")};  // 10:00 in Québec, outside every quiet hours
  std::unique_ptr<Provider> services_quebec_connector_;
  std::unique_ptr<SmtpTestServer> smtp_;
  std::unique_ptr<NotifyService> service_;
};

TEST_F(AccessNotices, AnExchangeUnderNotifySubjectIsEmailedFrenchFirstAndNoOtherExchangeIs) {
  grant("QC-FR", "citizen_notification");
  grant("QC-FR", "address_update", "saaq", "identity.address");

  // Before: an exchange under a rule without notify_subject (RAMQ registers a birth, by law)
  // and an exchange refused for want of consent (SAAQ, subject QC-EN) tell nobody.
  Provider etat_civil(sdk_options(etat_civil_));
  etat_civil.serve({"identity.birth"}, [](const ProviderRequest&) -> Result<json::object> {
    return json::object{{"surname", "Tremblay"}, {"given_names", "Marie"}, {"sex", "F"},
                        {"birth_date", "2026-10-30"}, {"birth_place", "Québec"}};
  });
  ASSERT_TRUE(etat_civil.start());
  ASSERT_TRUE(etat_civil.wait_ready(seconds(10)));
  Client ramq(sdk_options(ramq_));
  auto birth = ramq.exchange(request("QC-FR", "etat-civil", "identity.birth", "health_insurance_registration"));
  ASSERT_TRUE(birth) << birth.error().message;
  EXPECT_TRUE(birth->obligations.empty());
  Client saaq(sdk_options(saaq_));
  auto refused = saaq.exchange(request("QC-EN", "services-quebec", "identity.address", "address_update"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::consent_missing);

  const ExchangeResponse answer = saaq_reads_address("QC-FR", "saaq-address-0001");
  ASSERT_EQ(answer.obligations, std::vector<std::string>{"notify_subject"});
  const std::string event = notice_event("services-quebec", answer);
  ASSERT_TRUE(arrived(event));
  service_->tick();
  ASSERT_TRUE(wait_for([&] { return smtp_->messages().size() == 1; }));
  const std::string mail = smtp_->messages()[0];
  EXPECT_THAT(mail, HasSubstr("X-Envelope-To: marie@example.org"));
  EXPECT_THAT(mail, HasSubstr("Content-Language: fr, en"));
  const std::string text = plain_text(mail);
  EXPECT_THAT(text, HasSubstr("Services Québec a communiqué des renseignements vous concernant à la Société de "
                              "l'assurance automobile du Québec."));
  EXPECT_THAT(text, HasSubstr("Renseignements : adresse – "));
  for (const char* field : {"adresse", "ville", "code postal", "province", "date d'effet"}) {
    EXPECT_THAT(text, HasSubstr(field));
  }
  EXPECT_THAT(text, HasSubstr("Fin : mise à jour de votre adresse"));
  EXPECT_THAT(text, HasSubstr("Fondement : votre consentement"));
  EXPECT_THAT(text, HasSubstr("Référence au journal des échanges : " + std::to_string(answer.audit_seq)));
  EXPECT_THAT(text, HasSubstr("Purpose: updating your address"));
  ASSERT_NE(text.find("Bonjour"), std::string::npos);
  EXPECT_LT(text.find("Bonjour"), text.find("Hello"));  // French first
  // Never a value of the record: only the names of the fields.
  EXPECT_THAT(mail, Not(HasSubstr("G1V 3V9")));
  EXPECT_THAT(text, Not(HasSubstr("Église")));

  // One notice in all: the exchanges without notify_subject or refused published none, and a
  // second delivery of the same event changes nothing.
  EXPECT_EQ(access_audit_entries(), 1u);
  const auto sends = service_->store().sends_of(event);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].state, SendState::sent);
  service_->tick();
  EXPECT_EQ(smtp_->messages().size(), 1u);
  etat_civil.stop();
}

TEST_F(AccessNotices, WithoutConsentToBeNotifiedTheNoticeIsASkipRecorded) {
  grant("QC-NOCONSENT", "address_update", "saaq", "identity.address");
  const std::string event = notice_event("services-quebec", saaq_reads_address("QC-NOCONSENT", "saaq-address-0100"));
  ASSERT_TRUE(arrived(event));
  EXPECT_EQ(service_->store().notice(event)->outcome, "skipped");
  EXPECT_EQ(service_->store().notice(event)->reason, "consent_missing");
  EXPECT_TRUE(service_->store().sends_of(event).empty());
  service_->tick();
  EXPECT_TRUE(smtp_->messages().empty());
  EXPECT_THAT(service_->metrics().prometheus_text(),
              HasSubstr("pse_notify_skipped_for_consent_total{purpose=\"citizen_notification\"} 1\n"));
}

TEST_F(AccessNotices, ADailyDigestListsEveryExchangeOfTheDayInOneEmailTheNextMorning) {
  grant("QC-DAILY", "citizen_notification");
  grant("QC-DAILY", "address_update", "saaq", "identity.address");
  grant("QC-DAILY", "address_update", "ramq", "identity.address");
  std::vector<std::string> events;
  std::vector<std::uint64_t> seqs;
  for (const char* id : {"saaq-address-0201", "saaq-address-0202"}) {
    const ExchangeResponse answer = saaq_reads_address("QC-DAILY", id);
    events.push_back(notice_event("services-quebec", answer));
    seqs.push_back(answer.audit_seq);
  }
  const ExchangeResponse by_ramq = reads_address(ramq_, "QC-DAILY", "ramq-address-0203");
  events.push_back(notice_event("services-quebec", by_ramq));
  seqs.push_back(by_ramq.audit_seq);
  for (const auto& event : events) ASSERT_TRUE(arrived(event));

  const std::string digest = digest_event_id("QC-DAILY", quebec_day(clock_.now()));
  EXPECT_EQ(service_->store().digest_items(digest).size(), 3u);
  service_->tick();
  clock_.set(utc("2026-11-11T11:59"));  // 06:59 the next day in Québec: the digest waits for 07:00…
  service_->tick();
  EXPECT_TRUE(smtp_->messages().empty());
  clock_.set(utc("2026-11-11T12:59"));  // …and digest_at (08:00), the later of the two
  service_->tick();
  EXPECT_TRUE(smtp_->messages().empty());
  clock_.set(utc("2026-11-11T13:00"));
  service_->tick();
  ASSERT_TRUE(wait_for([&] { return smtp_->messages().size() == 1; }));
  const std::string text = plain_text(smtp_->messages()[0]);
  EXPECT_THAT(text, HasSubstr("Nombre de communications de vos renseignements entre organismes publics pendant la "
                              "journée : 3."));
  EXPECT_THAT(text, HasSubstr("Number of times public bodies communicated information about you during the day: 3."));
  EXPECT_LT(text.find("Bonjour"), text.find("Hello"));
  for (const auto seq : seqs) {
    EXPECT_THAT(text, HasSubstr("Référence : " + std::to_string(seq) + "."));
    EXPECT_THAT(text, HasSubstr("Reference: " + std::to_string(seq) + "."));
  }
  EXPECT_THAT(text, HasSubstr("Services Québec a communiqué à la Régie de l'assurance maladie du Québec : adresse"));
  EXPECT_THAT(text, HasSubstr("Services Québec communicated to the Société de l'assurance automobile du Québec: address"));
  clock_.advance(hours(24));
  service_->tick();
  EXPECT_EQ(smtp_->messages().size(), 1u);  // one digest per day, sent once
}

}  // namespace
}  // namespace pse::notify

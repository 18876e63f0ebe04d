// Access notices are not lost between the exchange's audit commit and their publish: the commit
// keeps each in the audit log's outbox until the broker has published it, and a broker that
// starts publishes again whatever a stop or a crash left there. Real brokers, a real SQLite
// log, and pse-notify's place taken by an SDK subscriber.
#include "broker_fixture.hpp"
#include "delivery_inbox.hpp"
// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside Boost 1.81's
// use_future (an empty std::allocator<void> "used" when the promise is created).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include "audit/audit_log.hpp"
#include "broker/exchange/disclosure_notices.hpp"
#include "broker/queue/queue_keyring.hpp"
#include "policy/instant.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <thread>

namespace pse::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using broker::DisclosureNotice;

class AccessNoticeOutbox : public BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    pse_notify_ = pki_->issue_org("pse-notify");
  }

  void stop_broker() {
    broker_->request_drain();
    broker_->wait();
    broker_.reset();
  }

  // pse-notify's connector, subscribed to the access notices.
  std::unique_ptr<Provider> start_pse_notify(Inbox& inbox) {
    auto provider = std::make_unique<Provider>(sdk_options(pse_notify_));
    provider->subscribe({{"notice.data_access", "citizen_notification"}},
                        [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  // The outbox as the running broker's log keeps it, once it has nothing more to delete.
  std::vector<audit::OutboxMessage> settled_outbox() const {
    std::vector<audit::OutboxMessage> kept;
    for (int i = 0; i < 100; ++i) {
      auto read = audit_store()->read_outbox();
      EXPECT_TRUE(read.ok());
      kept = read ? *read : kept;
      if (kept.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return kept;
  }

  static ClientIdentity pse_notify_;
};

ClientIdentity AccessNoticeOutbox::pse_notify_;

// What a crash right after an exchange's audit commit leaves: the entry with its notice kept,
// and no notice in the delivery queue. The next broker publishes it, under the same key.
TEST_F(AccessNoticeOutbox, ANoticeACrashLeftInTheOutboxIsPublishedWhenTheBrokerStarts) {
  start_broker();
  const fs::path data = data_dir_;
  {
    Inbox nothing_yet;  // pse-notify subscribes once; the broker remembers it
    start_pse_notify(nothing_yet)->stop();
  }
  stop_broker();

  DisclosureNotice notice;
  notice.subject = "QC-1957-0042";
  notice.consumer = "services-quebec";
  notice.provider = "etat-civil";
  notice.category = "identity.birth";
  notice.purpose = "identity_verification";
  notice.fields = {"surname", "given_names", "birth_date"};
  notice.rule_id = "services-quebec-birth-verification";
  notice.basis_type = "consent";
  notice.basis_reference = "cns_crash";
  notice.at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  notice.request_id = "rq-before-the-crash";
  std::uint64_t seq = 0;
  {
    const auto keys = queue::QueueKeyring::load(dir_->path() / "keys", "q1");
    broker::DisclosureNotices sealer([](const std::string&, const std::string&, broker::Respond) {},
                                     [](std::chrono::milliseconds, std::function<void()>) {}, [](std::uint64_t) {}, keys);
    auto log = audit::AuditLog::open(audit::AuditConfig{data / "audit.db", dir_->path() / "keys"});
    audit::AuditRecord entry;
    entry.request_id = notice.request_id;
    entry.consumer = notice.consumer;
    entry.provider = notice.provider;
    entry.category = notice.category;
    entry.purpose = notice.purpose;
    entry.decision = audit::Decision::allow;
    entry.rule_id = notice.rule_id;
    entry.basis_type = audit::BasisType::consent;
    entry.basis = notice.basis_reference;
    entry.permitted_fields = notice.fields;
    entry.obligations = {"notify_subject"};
    entry.subject_id = notice.subject;
    entry.outbox = sealer.outbox_message(notice);
    auto appended = log->append(std::move(entry)).get();
    ASSERT_TRUE(appended.ok()) << appended.error().message;
    seq = *appended;
  }

  start_broker([&data](broker::BrokerConfig& config) { config.store.data_dir = data; });
  EXPECT_TRUE(settled_outbox().empty());  // published, into pse-notify's queue
  Inbox inbox;
  auto pse_notify = start_pse_notify(inbox);
  ASSERT_TRUE(inbox.wait_for(1));
  const Delivery delivery = inbox.received().at(0);
  EXPECT_EQ(delivery.publisher, "etat-civil");
  EXPECT_EQ(delivery.subject, "QC-1957-0042");
  EXPECT_EQ(delivery.event_id, event_id_for("etat-civil", "access:" + std::to_string(seq) + ":rq-before-the-crash"));
  EXPECT_EQ(delivery.record.at("consumer"), "services-quebec");
  EXPECT_EQ(delivery.record.at("fields"), "surname,given_names,birth_date");
  EXPECT_EQ(delivery.record.at("audit_seq"), seq);
  pse_notify->stop();
}

// In the ordinary course the notice is published at once and its kept copy goes.
TEST_F(AccessNoticeOutbox, AnExchangesNoticeLeavesTheOutboxOncePublished) {
  start_broker();
  Inbox inbox;
  auto pse_notify = start_pse_notify(inbox);
  Provider etat_civil(sdk_options(etat_civil_));
  etat_civil.serve({"identity.birth"}, [](const ProviderRequest&) -> Result<json::object> {
    return json::object{{"surname", "Tremblay"}, {"given_names", "Marie"}, {"birth_date", "1957-03-14"}};
  });
  ASSERT_TRUE(etat_civil.start());
  ASSERT_TRUE(etat_civil.wait_ready(std::chrono::seconds(10)));
  const std::string expires = policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::now() + std::chrono::days(30)));
  const HttpResult granted = post(services_quebec_, "/v1/consents", R"({"subject": "QC-1957-0042", "provider": "etat-civil",
      "consumer": "services-quebec", "categories": ["identity.birth"],
      "purpose": {"code": "identity_verification", "fr": "Vérifier votre identité", "en": "Verify your identity"},
      "notice": {"reference": "AVIS-SQ-1", "version": "1", "language": "fr"},
      "collection_method": "web-form", "expires_at": ")" + expires + "\"}");
  ASSERT_EQ(granted.status, 201) << granted.body;

  ExchangeRequest request;
  request.subject = "QC-1957-0042";
  request.provider = "etat-civil";
  request.category = "identity.birth";
  request.purpose = "identity_verification";
  auto answer = Client(sdk_options(services_quebec_)).exchange(request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_THAT(answer->obligations, ::testing::Contains("notify_subject"));

  ASSERT_TRUE(inbox.wait_for(1));
  EXPECT_TRUE(settled_outbox().empty());
  EXPECT_EQ(inbox.received().at(0).record.at("audit_seq"), answer->audit_seq);
  pse_notify->stop();
  etat_civil.stop();
}

}  // namespace
}  // namespace pse::testing

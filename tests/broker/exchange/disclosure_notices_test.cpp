// DisclosureNotices without a broker: what it publishes for an exchange under notify_subject
// (the body, the key a retry repeats), that it never runs the publish on the caller's stack,
// and how a failed publish is retried — a bounded number of times, only when it may pass later.
#include "broker/exchange/disclosure_notices.hpp"

#include "policy/policy_engine.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <array>
#include <deque>

namespace pse::broker {
namespace {

namespace json = boost::json;
using namespace std::chrono;

DisclosureNotice notice(std::uint64_t seq = 17) {
  DisclosureNotice n;
  n.subject = "QC-123";
  n.consumer = "saaq";
  n.provider = "services-quebec";
  n.category = "identity.address";
  n.purpose = "address_update";
  n.fields = {"city", "postal_code"};
  n.rule_id = "saaq-address-change";
  n.basis_type = "consent";
  n.basis_reference = "cns_0123";
  n.at = policy::Instant(seconds(1'794'400'000));
  n.audit_seq = seq;
  n.request_id = "req-1";
  return n;
}

// A manual scheduler and a publish that answers what the test says.
struct Harness {
  struct Job {
    milliseconds delay;
    std::function<void()> run;
  };
  std::deque<Job> jobs;
  std::vector<std::pair<std::string, std::string>> published;  // publisher, body
  std::deque<int> answers;                                     // statuses, 202 when empty
  std::vector<std::uint64_t> sent;                             // outbox messages marked sent
  queue::QueueKeyring keyring = test_keyring();
  DisclosureNotices notices{
      [this](const std::string& publisher, const std::string& body, Respond respond) {
        published.emplace_back(publisher, body);
        HttpResponse response;
        response.status = answers.empty() ? 202 : answers.front();
        if (!answers.empty()) answers.pop_front();
        respond(response);
      },
      [this](milliseconds delay, std::function<void()> job) { jobs.push_back({delay, std::move(job)}); },
      [this](std::uint64_t seq) { sent.push_back(seq); }, keyring,
      DisclosureRetry{4, milliseconds(100), milliseconds(250), 2}};

  static queue::QueueKeyring test_keyring() {
    queue::QueueKeyring keys("k1");
    const std::array<std::uint8_t, 32> key{7, 1, 2, 3};
    keys.add("k1", key);
    return keys;
  }

  void run_all() {
    while (!jobs.empty()) {
      auto job = std::move(jobs.front());
      jobs.pop_front();
      job.run();
    }
  }
};

TEST(DisclosureNotices, TheBodyNamesWhoReceivedWhatFromWhomWhenAndWhyWithoutAnyValue) {
  const json::object body = json::parse(disclosure_publish_body(notice())).as_object();
  EXPECT_EQ(body.at("category").as_string(), "notice.data_access");
  EXPECT_EQ(body.at("subject").as_string(), "QC-123");
  EXPECT_EQ(body.at("idempotency_key").as_string(), "access:17:req-1");
  const json::object& record = body.at("record").as_object();
  EXPECT_EQ(record.at("consumer").as_string(), "saaq");
  EXPECT_EQ(record.at("provider").as_string(), "services-quebec");
  EXPECT_EQ(record.at("category").as_string(), "identity.address");
  EXPECT_EQ(record.at("purpose").as_string(), "address_update");
  EXPECT_EQ(record.at("fields").as_string(), "city,postal_code");
  EXPECT_EQ(record.at("basis").as_string(), "consent");
  EXPECT_EQ(record.at("accessed_at").as_string(), "2026-11-11T12:26:40Z");
  EXPECT_EQ(record.at("audit_seq").to_number<std::uint64_t>(), 17u);
  // A consent id is for the audit trail, not the citizen's letter; a law basis names its provision.
  EXPECT_FALSE(record.contains("legal_reference"));
  DisclosureNotice by_law = notice();
  by_law.basis_type = "law";
  by_law.basis_reference = "Loi X, art. 1";
  EXPECT_EQ(json::parse(disclosure_publish_body(by_law)).at("record").at("legal_reference").as_string(), "Loi X, art. 1");
}

TEST(DisclosureNotices, PublishedInTheProvidersNameLaterNotOnTheCallersStack) {
  Harness h;
  h.notices.notify(notice());
  EXPECT_TRUE(h.published.empty());
  ASSERT_EQ(h.jobs.size(), 1u);
  EXPECT_EQ(h.jobs.front().delay, milliseconds(0));
  h.run_all();
  ASSERT_EQ(h.published.size(), 1u);
  EXPECT_EQ(h.published[0].first, "services-quebec");
  EXPECT_EQ(h.notices.published(), 1u);
  EXPECT_EQ(h.sent, std::vector<std::uint64_t>{17});  // its outbox message may go
}

// What the audit commit keeps names the citizen, so it is sealed; sent again from it, the notice
// is the same publish (body and idempotency key) as the one it replaces.
TEST(DisclosureNotices, AKeptNoticeIsSealedAndSentAgainAsTheSamePublish) {
  Harness h;
  DisclosureNotice original = notice(0);  // kept before the entry has its seq
  const std::string kept = h.notices.outbox_message(original);
  EXPECT_EQ(kept.find("QC-123"), std::string::npos);
  EXPECT_EQ(kept.find("services-quebec"), std::string::npos);

  h.notices.resend({audit::OutboxMessage{17, kept}, audit::OutboxMessage{18, "not a kept notice"}});
  h.run_all();
  ASSERT_EQ(h.published.size(), 1u);  // the unreadable one is logged and left
  EXPECT_EQ(h.published[0].first, "services-quebec");
  EXPECT_EQ(json::parse(h.published[0].second), json::parse(disclosure_publish_body(notice(17))));
  EXPECT_EQ(h.sent, std::vector<std::uint64_t>{17});

  // Another key cannot open it.
  Harness other;
  other.keyring = queue::QueueKeyring("k1");
  const std::array<std::uint8_t, 32> wrong{9};
  other.keyring.add("k1", wrong);
  other.notices.resend({audit::OutboxMessage{17, kept}});
  other.run_all();
  EXPECT_TRUE(other.published.empty());
}

TEST(DisclosureNotices, ATransientRefusalIsRetriedWithTheSameKeyABoundedNumberOfTimes) {
  Harness h;
  h.answers = {503, 429, 202};
  h.notices.notify(notice());
  h.run_all();
  ASSERT_EQ(h.published.size(), 3u);
  EXPECT_EQ(h.published[0].second, h.published[2].second);  // same body, same idempotency key
  EXPECT_EQ(h.notices.published(), 1u);
  EXPECT_EQ(h.notices.given_up(), 0u);

  Harness down;
  down.answers = {503, 503, 503, 503, 503, 503};
  down.notices.notify(notice());
  std::vector<milliseconds> delays;
  while (!down.jobs.empty()) {
    delays.push_back(down.jobs.front().delay);
    auto job = std::move(down.jobs.front());
    down.jobs.pop_front();
    job.run();
  }
  EXPECT_EQ(down.published.size(), 4u);  // max_attempts
  EXPECT_EQ(delays, (std::vector<milliseconds>{milliseconds(0), milliseconds(100), milliseconds(200), milliseconds(250)}));
  EXPECT_EQ(down.notices.given_up(), 1u);
  EXPECT_TRUE(down.sent.empty());  // kept in the outbox for the next start
}

TEST(DisclosureNotices, ARefusalThatWouldRecurIsNotRetried) {
  Harness h;
  h.answers = {403};  // e.g. not_category_owner: the provider is not among the publishers
  h.notices.notify(notice());
  h.run_all();
  EXPECT_EQ(h.published.size(), 1u);
  EXPECT_EQ(h.notices.given_up(), 1u);
  EXPECT_EQ(h.sent, std::vector<std::uint64_t>{17});  // sending it again would not help
}

TEST(DisclosureNotices, NoticesUnderWayAreBounded) {
  Harness h;
  h.notices.notify(notice(1));
  h.notices.notify(notice(2));
  h.notices.notify(notice(3));  // max_pending is 2
  EXPECT_EQ(h.jobs.size(), 2u);
  EXPECT_EQ(h.notices.given_up(), 1u);
  h.run_all();
  h.notices.notify(notice(4));  // room again once they are published
  h.run_all();
  EXPECT_EQ(h.notices.published(), 3u);
}

// A rule with notify_subject whose provider may not publish access notices, or from which
// pse-notify may not receive them, would leave citizens uninformed (the publish is refused and
// only logged): the shipped configuration must not have one.
TEST(DisclosureNotices, EveryProviderOfANotifySubjectRuleInTheShippedConfigCanNotifyThroughPseNotify) {
  const auto engine = policy::PolicyEngine::load(policy::PolicyConfigPaths::in_directory(PSE_SOURCE_DIR "/config"));
  const auto snapshot = engine->snapshot();
  const policy::Category* notices = snapshot->classification().find(kDataAccessCategory);
  ASSERT_NE(notices, nullptr);
  std::size_t rules = 0;
  for (const auto& rule : snapshot->rules()) {
    if (!rule.obligations.contains(policy::Obligation::notify_subject)) continue;
    ++rules;
    EXPECT_TRUE(notices->may_publish(rule.provider)) << rule.id << ": " << rule.provider << " is not a publisher";
    const policy::Organisation* provider = snapshot->organisations().find(rule.provider);
    ASSERT_NE(provider, nullptr);
    EXPECT_TRUE(provider->has_role(policy::Role::publisher)) << rule.provider;
    const auto decision = snapshot->decide(policy::DecisionRequest{"pse-notify", rule.provider, kDataAccessCategory,
                                                                   "citizen_notification", {},
                                                                   policy::Instant(sys_days(2026y / 3 / 1))});
    EXPECT_TRUE(decision.allowed()) << rule.id << ": pse-notify may not receive " << rule.provider << "'s notices";
  }
  EXPECT_GT(rules, 0u);
}

}  // namespace
}  // namespace pse::broker

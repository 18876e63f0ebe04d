// pse-feedback through a real broker: an approved answer, published by the outbox with the SDK
// as organisation pse-feedback, reaches the body that owns the service (and no other body) as a
// feedback.submitted delivery; a repeated publish is not delivered twice; an answer approved
// while the broker is down is delivered once it is back.
#include "../../broker/broker_fixture.hpp"

#include "feedback_store.hpp"
#include "outbox.hpp"
#include "sdk_publisher.hpp"

#include <pse/provider.hpp>

#include <gmock/gmock.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace pse::feedback {
namespace {

using namespace std::chrono_literals;
using testing::ClientIdentity;

struct Inbox {
  Status take(const Delivery& delivery) {
    std::lock_guard lock(mutex);
    deliveries.push_back(delivery);
    arrived.notify_all();
    return Done{};
  }
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, timeout, [&] { return deliveries.size() >= count; });
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return deliveries.size();
  }
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Delivery> deliveries;
};

const ServiceCatalog kServices({{"saaq-immatriculation", "saaq", "Immatriculation", "Registration"}});

class FeedbackThroughBroker : public testing::BrokerTest {
 protected:
  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    if (feedback_.cert.empty()) {
      feedback_ = pki_->issue_org("pse-feedback");
      saaq_ = pki_->issue_org("saaq");
    }
  }

  BrokerSettings broker_settings(std::uint16_t port) const {
    return BrokerSettings{"localhost", port, pki_->ca(), feedback_.cert, feedback_.key, 10};
  }

  std::unique_ptr<Provider> subscriber(const ClientIdentity& who, Inbox& inbox) {
    auto provider = std::make_unique<Provider>(sdk_options(who));
    provider->subscribe({{"feedback.submitted", "service_improvement"}},
                        [&inbox](const Delivery& delivery) { return inbox.take(delivery); });
    EXPECT_TRUE(provider->start());
    auto ready = provider->wait_ready(10s);
    EXPECT_TRUE(ready) << (ready ? "" : ready.error().message);
    return provider;
  }

  static std::string approved_answer(FeedbackStore& store, const std::string& link) {
    NewFeedback answer;
    answer.service = "saaq-immatriculation";
    answer.rating = 2;
    answer.got_what_needed = false;
    answer.comment = "Trop d'attente. Rappelez-moi au [téléphone masqué]";
    answer.language = Language::fr;
    answer.submitted_on = "2026-11-22";
    std::string id;
    EXPECT_EQ(*store.submit(link, answer, &id), SubmitOutcome::stored);
    return id;
  }

  static ClientIdentity feedback_;
  static ClientIdentity saaq_;
  testing::TempDir work_;
};

ClientIdentity FeedbackThroughBroker::feedback_;
ClientIdentity FeedbackThroughBroker::saaq_;

TEST_F(FeedbackThroughBroker, feedback_ApprovedAnswerReachesTheOwningBodyOnly) {
  start_broker();
  Inbox saaq_inbox;
  Inbox ramq_inbox;
  auto saaq = subscriber(saaq_, saaq_inbox);
  auto ramq = subscriber(ramq_, ramq_inbox);  // has a rule for feedback too, but is not the owner

  FeedbackStore store(work_ / "feedback.db");
  const std::string id = approved_answer(store, "link-1");
  SdkPublisher publisher(broker_settings(broker_->port()));
  auto drained = drain_outbox(store, kServices, publisher, 1000);
  ASSERT_TRUE(drained) << drained.error().message;
  EXPECT_EQ(drained->published, 1) << store.published_state(id)->last_error;

  ASSERT_TRUE(saaq_inbox.wait_for(1, 10s));
  const Delivery delivery = saaq_inbox.deliveries.front();
  EXPECT_EQ(delivery.publisher, "pse-feedback");
  EXPECT_EQ(delivery.category, "feedback.submitted");
  EXPECT_EQ(delivery.purpose, "service_improvement");
  EXPECT_EQ(delivery.subject, id);
  EXPECT_EQ(delivery.event_id, store.published_state(id)->event_id);
  EXPECT_EQ(delivery.record.at("service").as_string(), "saaq-immatriculation");
  EXPECT_EQ(delivery.record.at("rating").to_number<int>(), 2);
  EXPECT_EQ(delivery.record.at("got_what_needed").as_bool(), false);
  EXPECT_EQ(delivery.record.at("comment").as_string(), "Trop d'attente. Rappelez-moi au [téléphone masqué]");
  EXPECT_EQ(delivery.record.at("language").as_string(), "fr");
  EXPECT_EQ(delivery.record.at("submitted_on").as_string(), "2026-11-22");

  // Published again with the same key (a 202 lost on the way): acknowledged, not redelivered.
  auto found = store.find(id);
  auto again = publisher.publish(make_event(**found, "saaq"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, delivery.event_id);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(saaq_inbox.size(), 1U);
  EXPECT_EQ(ramq_inbox.size(), 0U);
}

TEST_F(FeedbackThroughBroker, feedback_ApprovedWhileTheBrokerIsDownDeliveredWhenItIsBack) {
  FeedbackStore store(work_ / "feedback.db");
  const std::string id = approved_answer(store, "link-2");
  {
    SdkPublisher unreachable(broker_settings(1));  // nothing listens on port 1
    auto drained = drain_outbox(store, kServices, unreachable, 1000);
    ASSERT_TRUE(drained);
    EXPECT_EQ(drained->failed, 1);
    EXPECT_THAT(store.published_state(id)->last_error, ::testing::HasSubstr("provider_unavailable"));
  }
  start_broker();
  Inbox saaq_inbox;
  auto saaq = subscriber(saaq_, saaq_inbox);
  SdkPublisher publisher(broker_settings(broker_->port()));
  auto drained = drain_outbox(store, kServices, publisher, 1000 + retry_delay(1));
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->published, 1);
  ASSERT_TRUE(saaq_inbox.wait_for(1, 10s));
  EXPECT_EQ(saaq_inbox.deliveries.front().subject, id);
}

}  // namespace
}  // namespace pse::feedback

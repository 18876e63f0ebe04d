// The store and the outbox: one answer per link, moderation decisions, nothing approved lost
// while the broker refuses or is away.
#include "feedback_store.hpp"
#include "outbox.hpp"

#include "support/temp_dir.hpp"

#include <gmock/gmock.h>

namespace pse::feedback {
namespace {

NewFeedback answer(int rating, bool review = false) {
  NewFeedback f;
  f.service = "saaq-immatriculation";
  f.rating = rating;
  f.got_what_needed = rating >= 4;
  f.comment = "Très bien";
  f.submitted_on = "2026-11-22";
  f.needs_review = review;
  return f;
}

const ServiceCatalog kServices({{"saaq-immatriculation", "saaq", "Immatriculation", "Registration"}});

class FakePublisher : public FeedbackPublisher {
 public:
  Result<std::string> publish(const FeedbackEvent& event) override {
    events.push_back(event);
    if (down) return make_error(Reason::provider_unavailable, "connect to broker: Connection refused");
    return "evt_" + std::to_string(events.size());
  }
  bool down = false;
  std::vector<FeedbackEvent> events;
};

TEST(feedback_Store, OneAnswerPerLink) {
  testing::TempDir dir;
  FeedbackStore store(dir / "feedback.db");
  EXPECT_FALSE(*store.link_used("k1"));
  EXPECT_EQ(*store.submit("k1", answer(5)), SubmitOutcome::stored);
  EXPECT_TRUE(*store.link_used("k1"));
  EXPECT_EQ(*store.submit("k1", answer(1)), SubmitOutcome::already_answered);
  ASSERT_EQ(store.list(std::nullopt)->size(), 1U);
  EXPECT_EQ(store.list(std::nullopt)->front().rating, 5);
}

TEST(feedback_Store, UsedLinksSurviveReopening) {
  testing::TempDir dir;
  { FeedbackStore store(dir / "feedback.db"); ASSERT_TRUE(store.submit("k1", answer(5))); }
  FeedbackStore reopened(dir / "feedback.db");
  EXPECT_EQ(*reopened.submit("k1", answer(5)), SubmitOutcome::already_answered);
}

TEST(feedback_Store, ReviewQueueAndDecisions) {
  testing::TempDir dir;
  FeedbackStore store(dir / "feedback.db");
  std::string clean, flagged, threat;
  ASSERT_TRUE(store.submit("k1", answer(4), &clean));
  ASSERT_TRUE(store.submit("k2", answer(2, true), &flagged));
  NewFeedback menace = answer(1, true);
  menace.escalate = true;
  ASSERT_TRUE(store.submit("k3", menace, &threat));

  EXPECT_EQ(store.find(clean)->value().status, FeedbackStatus::approved);
  EXPECT_EQ(store.list(FeedbackStatus::pending)->size(), 1U);
  EXPECT_EQ(store.find(threat)->value().status, FeedbackStatus::escalated);

  EXPECT_TRUE(store.decide(flagged, FeedbackStatus::approved, "ok"));
  EXPECT_FALSE(store.decide(flagged, FeedbackStatus::rejected, "too late"));  // decided already
  EXPECT_FALSE(store.decide("fb_unknown", FeedbackStatus::approved, ""));
  EXPECT_TRUE(store.decide(threat, FeedbackStatus::rejected, "sent to security"));
  EXPECT_EQ(store.find(threat)->value().decision_note, "sent to security");
  // Only approved answers are in the outbox.
  EXPECT_EQ(store.due_outbox(0, 10)->size(), 2U);
}

TEST(feedback_Outbox, PublishesApprovedAnswersToTheOwner) {
  testing::TempDir dir;
  FeedbackStore store(dir / "feedback.db");
  std::string id;
  ASSERT_TRUE(store.submit("k1", answer(5), &id));
  FakePublisher publisher;
  auto report = drain_outbox(store, kServices, publisher, 1000);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->published, 1);
  ASSERT_EQ(publisher.events.size(), 1U);
  const FeedbackEvent& event = publisher.events[0];
  EXPECT_EQ(event.category, "feedback.submitted");
  EXPECT_EQ(event.subject, id);
  EXPECT_EQ(event.idempotency_key, "feedback-" + id);
  EXPECT_THAT(event.to, ::testing::ElementsAre("saaq"));
  EXPECT_EQ(event.record.at("rating").as_int64(), 5);
  EXPECT_EQ(event.record.at("got_what_needed").as_bool(), true);
  EXPECT_EQ(event.record.at("language").as_string(), "fr");
  EXPECT_EQ(event.record.at("submitted_on").as_string(), "2026-11-22");
  EXPECT_EQ(event.record.size(), 6U);
  EXPECT_TRUE(store.published_state(id)->published);
  EXPECT_EQ(store.published_state(id)->event_id, "evt_1");
  // Nothing more to send.
  EXPECT_EQ(drain_outbox(store, kServices, publisher, 5000)->published, 0);
}

TEST(feedback_Outbox, BrokerDownRetriesWithTheSameKeyUntilAccepted) {
  testing::TempDir dir;
  std::string id;
  FakePublisher publisher;
  publisher.down = true;
  {
    FeedbackStore store(dir / "feedback.db");
    ASSERT_TRUE(store.submit("k1", answer(3), &id));
    EXPECT_EQ(drain_outbox(store, kServices, publisher, 1000)->failed, 1);
    EXPECT_EQ(store.published_state(id)->attempts, 1);
    EXPECT_THAT(store.published_state(id)->last_error, ::testing::HasSubstr("provider_unavailable"));
    // Not due again before the backoff, unless an operator asks for everything.
    EXPECT_EQ(drain_outbox(store, kServices, publisher, 1001)->failed, 0);
    EXPECT_EQ(drain_outbox(store, kServices, publisher, 1001, DrainMode::all)->failed, 1);
    EXPECT_EQ(store.published_state(id)->attempts, 2);
    EXPECT_EQ(drain_outbox(store, kServices, publisher, 1001 + retry_delay(2) - 1)->failed, 0);
  }
  // The process restarts; the broker is back.
  FeedbackStore store(dir / "feedback.db");
  publisher.down = false;
  EXPECT_EQ(drain_outbox(store, kServices, publisher, 1001 + retry_delay(2))->published, 1);
  ASSERT_EQ(publisher.events.size(), 3U);
  EXPECT_EQ(publisher.events[0].idempotency_key, publisher.events[2].idempotency_key);
  EXPECT_TRUE(store.published_state(id)->published);
}

TEST(feedback_Outbox, RetryDelayGrowsAndIsBounded) {
  EXPECT_EQ(retry_delay(1), 5);
  EXPECT_EQ(retry_delay(2), 10);
  EXPECT_EQ(retry_delay(3), 20);
  EXPECT_EQ(retry_delay(50), 600);
}

}  // namespace
}  // namespace pse::feedback

#include "outbox.hpp"

#include "base/log.hpp"

#include <algorithm>
#include <limits>

namespace pse::feedback {

FeedbackEvent make_event(const FeedbackRecord& feedback, const std::string& owner) {
  FeedbackEvent event;
  event.subject = feedback.id;
  event.idempotency_key = "feedback-" + feedback.id;
  event.to = {owner};
  event.record["service"] = feedback.service;
  event.record["rating"] = feedback.rating;
  event.record["got_what_needed"] = feedback.got_what_needed;
  event.record["comment"] = feedback.comment;
  event.record["language"] = std::string(to_string(feedback.language));
  event.record["submitted_on"] = feedback.submitted_on;
  return event;
}

std::int64_t retry_delay(int attempts) noexcept {
  std::int64_t delay = 5;
  for (int i = 1; i < attempts && delay < 600; ++i) delay *= 2;
  return std::min<std::int64_t>(delay, 600);
}

Result<DrainReport> drain_outbox(FeedbackStore& store, const ServiceCatalog& services, FeedbackPublisher& publisher,
                                 std::int64_t now, DrainMode mode, int limit) {
  auto due = store.due_outbox(mode == DrainMode::all ? std::numeric_limits<std::int64_t>::max() : now, limit);
  if (!due) return due.error();
  DrainReport report;
  for (const OutboxEntry& entry : *due) {
    const Service* service = services.find(entry.feedback.service);
    Result<std::string> sent = service == nullptr
                                   ? Result<std::string>(make_error(Reason::malformed_request,
                                                                    "service '" + entry.feedback.service +
                                                                        "' is no longer in the catalogue"))
                                   : publisher.publish(make_event(entry.feedback, service->owner));
    if (sent) {
      if (auto marked = store.mark_published(entry.feedback.id, *sent); !marked) return marked.error();
      ++report.published;
      log::info("feedback published", {{"feedback_id", entry.feedback.id}, {"event_id", *sent}});
      continue;
    }
    const int attempts = entry.attempts + 1;
    const std::string reason(to_string(sent.error().reason));
    if (auto marked = store.mark_attempt_failed(entry.feedback.id, reason + ": " + sent.error().message,
                                                now + retry_delay(attempts));
        !marked) {
      return marked.error();
    }
    ++report.failed;
    log::warn("feedback publish failed, will retry",
              {{"feedback_id", entry.feedback.id}, {"reason", reason}, {"attempts", attempts}});
  }
  return report;
}

}  // namespace pse::feedback

// Publishing approved answers to the body that owns the service, through the broker.
//
// The outbox (in the store) holds every approved answer until the broker has acknowledged it
// (202). drain_outbox() sends what is due through a FeedbackPublisher — the SDK in production
// (sdk_publisher.hpp), a fake in tests — and reschedules failures with exponential backoff. A
// retry is always safe: the idempotency key is derived from the answer's id, and the broker
// acknowledges a repeated key without delivering twice.
#pragma once

#include "feedback_store.hpp"
#include "services.hpp"

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pse::feedback {

/// The `feedback.submitted` event of one answer, as the broker receives it.
struct FeedbackEvent {
  std::string category = "feedback.submitted";
  std::string subject;          ///< the answer's id: feedback is anonymous
  std::string idempotency_key;  ///< "feedback-" + the answer's id
  std::vector<std::string> to;  ///< the body that owns the service
  boost::json::object record;   ///< service, rating, got_what_needed, comment, language, submitted_on
};

FeedbackEvent make_event(const FeedbackRecord& feedback, const std::string& owner);

class FeedbackPublisher {
 public:
  virtual ~FeedbackPublisher() = default;
  /// Sends one event; the broker's event id on 202.
  virtual Result<std::string> publish(const FeedbackEvent& event) = 0;
};

struct DrainReport {
  int published = 0;
  int failed = 0;
};

/// Seconds before the next attempt after `attempts` failures: 5 s doubling, at most 10 minutes.
std::int64_t retry_delay(int attempts) noexcept;

enum class DrainMode {
  due,  ///< only entries whose next attempt has come (the server's loop)
  all,  ///< every waiting entry, whatever its backoff (an operator's `publish`)
};

/// Publishes what is waiting at `now` (unix seconds); failures are rescheduled from `now`,
/// never dropped.
Result<DrainReport> drain_outbox(FeedbackStore& store, const ServiceCatalog& services, FeedbackPublisher& publisher,
                                 std::int64_t now, DrainMode mode = DrainMode::due, int limit = 100);

}  // namespace pse::feedback

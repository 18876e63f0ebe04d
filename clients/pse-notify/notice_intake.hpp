// What happens to a notice event when it arrives: checked (template, values, due date), held
// to the body's limits, the citizen's contact preferences read with consent, its reminders
// planned and written to the schedule — all in one transaction with the status the body will
// receive. Every notice ends in the store with an outcome; none is dropped silently.
#pragma once

#include "clock.hpp"
#include "metrics.hpp"
#include "notice_template.hpp"
#include "notify_config.hpp"
#include "ports.hpp"
#include "rate_limiter.hpp"
#include "schedule_store.hpp"

#include <pse/result.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace pse::notify {

struct IncomingNotice {
  std::string event_id;
  std::string publisher;
  std::string category;
  std::string subject;
  boost::json::object record;
};

enum class IntakeOutcome { accepted, duplicate, rejected, refused, skipped };
const char* to_string(IntakeOutcome outcome);

struct IntakeResult {
  IntakeOutcome outcome = IntakeOutcome::accepted;
  std::string reason;
  std::size_t sends = 0;
};

/// The purposes of the two kinds of message.
inline constexpr const char* kNotificationPurpose = "citizen_notification";
inline constexpr const char* kSuggestionPurpose = "service_suggestions";

/// A refusal of the contact-preferences exchange that means "no consent": the message is
/// skipped and the skip recorded. Other errors are transient (try again later).
bool is_consent_refusal(Reason reason);

class NoticeIntake {
 public:
  NoticeIntake(const NotifyConfig& config, const TemplateSet& templates, ScheduleStore& store,
               ContactDirectory& directory, RateLimiter& limiter, Metrics& metrics, const Clock& clock);

  /// An error when the notice should be delivered again later (the directory was unreachable);
  /// otherwise the outcome, already durable.
  Result<IntakeResult> accept(const IncomingNotice& notice);

 private:
  IntakeResult finish_without_sends(NoticeRow row, IntakeOutcome outcome, const std::string& status,
                                    const std::string& reason);

  const NotifyConfig& config_;
  const TemplateSet& templates_;
  ScheduleStore& store_;
  ContactDirectory& directory_;
  RateLimiter& limiter_;
  Metrics& metrics_;
  const Clock& clock_;
};

}  // namespace pse::notify

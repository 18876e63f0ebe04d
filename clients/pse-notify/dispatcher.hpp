// Sends what the schedule says is due, one send at a time:
//   claim (created → sending, committed) → contact preferences again, with consent (a
//   consent revoked since the notice arrived stops the message) → still in quiet hours?
//   move it to their end → render in the citizen's language → hand to the channel → record
//   sent / temporary-failure (next attempt after an exponential backoff) / permanent-failure,
//   with the status for the body in the same transaction.
// Then publishes the statuses waiting in the outbox. Time comes from the injected clock: a
// test moves the clock and calls run_due(); nothing here sleeps.
#pragma once

#include "clock.hpp"
#include "metrics.hpp"
#include "notice_template.hpp"
#include "notify_config.hpp"
#include "ports.hpp"
#include "renderer.hpp"
#include "schedule_store.hpp"

#include <map>
#include <mutex>

namespace pse::notify {

struct DispatchCounts {
  std::size_t sent = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  std::size_t deferred = 0;
};

class Dispatcher {
 public:
  Dispatcher(const NotifyConfig& config, const TemplateSet& templates, ScheduleStore& store,
             ContactDirectory& directory, EmailChannel& email, SmsChannel& sms, Metrics& metrics, const Clock& clock);

  /// At start-up: sends a previous run left in `sending` become permanent-failure
  /// (outcome_unknown) — never sent twice. Returns how many.
  std::size_t recover_interrupted();

  /// Every send due at the clock's now (at most `limit`).
  DispatchCounts run_due(std::size_t limit = 1000);

  /// Publishes waiting statuses; stops at the first failure (kept for the next call).
  std::size_t publish_statuses(StatusPublisher& publisher, std::size_t limit = 1000);

  /// A delivery report from the SMS gateway: sent → delivered, or permanent-failure. A report
  /// can overtake the recording of `sent` (the gateway answers, then reports, within
  /// milliseconds): it is then kept and applied right after.
  void delivery_report(std::int64_t send_id, bool delivered, const std::string& reason);

 private:
  void process(DueSend due);
  void record(DueSend& due, SendState state, const std::string& reason);
  void retry_later(DueSend& due, const std::string& reason);
  void apply_report(DueSend& due, bool delivered, const std::string& reason);
  /// What a message says: the notice's values, or for an access notice or digest the values
  /// shown in each language (and the digest's list). The error names what is unusable.
  Expected<LocalizedContent, RenderError> content_of(const DueSend& due);

  const NotifyConfig& config_;
  const TemplateSet& templates_;
  ScheduleStore& store_;
  ContactDirectory& directory_;
  EmailChannel& email_;
  SmsChannel& sms_;
  Metrics& metrics_;
  const Clock& clock_;
  DispatchCounts counts_;
  struct Report {
    bool delivered;
    std::string reason;
  };
  std::mutex reports_mutex_;  // orders "record sent" against reports arriving meanwhile
  std::map<std::int64_t, Report> early_reports_;
};

}  // namespace pse::notify

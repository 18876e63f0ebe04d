// What happens to an access notice (notice.data_access) when it arrives: checked, the citizen's
// contact preferences read with consent (a refusal meaning "no consent" is a recorded skip),
// then, as the citizen chose (or notify.yaml's default):
//   each  — one message now, moved out of the quiet hours;
//   daily — added to the citizen's digest of the day, which leaves the next day at
//           access_notices.digest_at and lists every exchange of that day;
//   none  — recorded as skipped.
// Everything is written in one transaction before the delivery is acknowledged. No notice.status
// goes back: the provider did not send this notice, the hub did in its name.
#pragma once

#include "clock.hpp"
#include "metrics.hpp"
#include "notice_intake.hpp"
#include "notice_template.hpp"
#include "notify_config.hpp"
#include "ports.hpp"
#include "schedule_store.hpp"

namespace pse::notify {

class AccessIntake {
 public:
  AccessIntake(const NotifyConfig& config, const TemplateSet& templates, ScheduleStore& store,
               ContactDirectory& directory, Metrics& metrics, const Clock& clock);

  /// An error when the notice should be delivered again later (the directory was unreachable);
  /// otherwise the outcome, already durable.
  Result<IntakeResult> accept(const IncomingNotice& notice);

 private:
  IntakeResult finish_without_sends(NoticeRow row, IntakeOutcome outcome, const std::string& reason);

  const NotifyConfig& config_;
  const TemplateSet& templates_;
  ScheduleStore& store_;
  ContactDirectory& directory_;
  Metrics& metrics_;
  const Clock& clock_;
};

}  // namespace pse::notify

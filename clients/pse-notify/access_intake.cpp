#include "access_intake.hpp"

#include "access_notice.hpp"
#include "quebec_time.hpp"
#include "send_plan.hpp"

#include "base/log.hpp"

#include <boost/json/serialize.hpp>

namespace pse::notify {

AccessIntake::AccessIntake(const NotifyConfig& config, const TemplateSet& templates, ScheduleStore& store,
                           ContactDirectory& directory, Metrics& metrics, const Clock& clock)
    : config_(config), templates_(templates), store_(store), directory_(directory), metrics_(metrics), clock_(clock) {}

IntakeResult AccessIntake::finish_without_sends(NoticeRow row, IntakeOutcome outcome, const std::string& reason) {
  row.outcome = to_string(outcome);
  row.reason = reason;
  if (!store_.insert_notice(row, {}, {})) return {IntakeOutcome::duplicate, "", 0};
  log::info("access notice not sent", {{"event_id", row.event_id}, {"outcome", row.outcome}, {"reason", reason}});
  return {outcome, reason, 0};
}

Result<IntakeResult> AccessIntake::accept(const IncomingNotice& notice) {
  if (store_.has_notice(notice.event_id)) return IntakeResult{IntakeOutcome::duplicate, "", 0};
  const Instant now = clock_.now();
  NoticeRow row;
  row.event_id = notice.event_id;
  row.publisher = notice.publisher;
  row.category = notice.category;
  row.subject = notice.subject;
  row.template_id = kAccessTemplate;
  row.values_json = boost::json::serialize(notice.record);
  row.received_at = now;

  // 1. The notice itself, and the templates it needs.
  auto access = parse_access_notice(notice.record);
  if (!access) {
    metrics_.rejected("invalid_value");
    return finish_without_sends(row, IntakeOutcome::rejected, "invalid_value: " + access.error());
  }
  const NoticeTemplate* single = templates_.find(kAccessTemplate);
  const NoticeTemplate* digest = templates_.find(kDigestTemplate);
  if (single == nullptr || digest == nullptr) {
    metrics_.rejected("unknown_template");
    return finish_without_sends(row, IntakeOutcome::rejected, "unknown_template");
  }

  // 2. How the citizen wants to be reached, and how often — only with their consent.
  auto preferences = directory_.preferences(notice.subject, kNotificationPurpose);
  if (!preferences) {
    if (!is_consent_refusal(preferences.error().reason)) return preferences.error();
    metrics_.skipped_for_consent(kNotificationPurpose);
    return finish_without_sends(row, IntakeOutcome::skipped, std::string(to_string(preferences.error().reason)));
  }
  const AccessNoticeMode mode = preferences->access_notices.value_or(config_.access.default_mode);
  if (mode == AccessNoticeMode::none) return finish_without_sends(row, IntakeOutcome::skipped, "access_notices_none");

  // 3. The sends: this notice's, or the day's digest's (planned by its first notice).
  const NoticeTemplate& t = mode == AccessNoticeMode::each ? *single : *digest;
  std::vector<SendRow> sends;
  for (const char* channel : {"email", "sms"}) {
    const bool wanted = std::string(channel) == "email" ? preferences->email && t.email : preferences->sms && t.sms;
    if (!wanted) continue;
    SendRow send;
    send.template_id = t.id;
    send.purpose = kNotificationPurpose;
    send.channel = channel;
    sends.push_back(send);
  }
  if (sends.empty()) {
    metrics_.rejected("no_usable_channel");
    return finish_without_sends(row, IntakeOutcome::skipped, "no_usable_channel");
  }

  if (mode == AccessNoticeMode::each) {
    for (auto& send : sends) {
      send.event_id = row.event_id;
      send.next_attempt_at = outside_quiet_hours(now, preferences->quiet_hours);
    }
    row.outcome = "accepted";
    if (!store_.insert_notice(row, sends, {})) return IntakeResult{IntakeOutcome::duplicate, "", 0};
    for (const auto& send : sends) metrics_.queued(send.channel);
  } else {
    // The digest of the Québec day the notice arrived on leaves the next day at digest_at.
    const auto day = quebec_day(now);
    NoticeRow day_digest;
    day_digest.event_id = digest_event_id(notice.subject, day);
    day_digest.publisher = row.publisher;
    day_digest.category = kAccessCategory;
    day_digest.subject = notice.subject;
    day_digest.template_id = kDigestTemplate;
    day_digest.values_json = "{}";
    day_digest.received_at = now;
    day_digest.outcome = "accepted";
    const Instant at = outside_quiet_hours(
        from_quebec_time(std::chrono::local_days(day) + std::chrono::days(1) +
                         std::chrono::minutes(config_.access.digest_minutes)),
        preferences->quiet_hours);
    for (auto& send : sends) {
      send.event_id = day_digest.event_id;
      send.next_attempt_at = at;
    }
    row.outcome = "accepted";
    row.reason = "daily_digest";
    const auto inserted = store_.insert_into_digest(row, day_digest, sends);
    if (inserted == ScheduleStore::DigestInsert::duplicate) return IntakeResult{IntakeOutcome::duplicate, "", 0};
    if (inserted == ScheduleStore::DigestInsert::created) {
      for (const auto& send : sends) metrics_.queued(send.channel);
    }
  }
  log::info("access notice scheduled", {{"event_id", row.event_id}, {"mode", to_string(mode)}, {"sends", sends.size()}});
  return IntakeResult{IntakeOutcome::accepted, "", sends.size()};
}

}  // namespace pse::notify

#include "notice_intake.hpp"

#include "quebec_time.hpp"
#include "renderer.hpp"
#include "send_plan.hpp"
#include "status_events.hpp"

#include "base/log.hpp"

#include <boost/json/serialize.hpp>

namespace pse::notify {
namespace {

Values values_of(const boost::json::object& record) {
  Values values;
  for (const auto& [key, value] : record) {
    if (value.is_string()) {
      values[std::string(key)] = std::string(value.as_string());
    } else if (value.is_int64() || value.is_uint64() || value.is_double() || value.is_bool()) {
      values[std::string(key)] = boost::json::serialize(value);
    }
  }
  return values;
}

}  // namespace

const char* to_string(IntakeOutcome outcome) {
  switch (outcome) {
    case IntakeOutcome::accepted: return "accepted";
    case IntakeOutcome::duplicate: return "duplicate";
    case IntakeOutcome::rejected: return "rejected";
    case IntakeOutcome::refused: return "refused";
    case IntakeOutcome::skipped: return "skipped";
  }
  return "unknown";
}

bool is_consent_refusal(Reason reason) {
  switch (reason) {
    case Reason::consent_missing:
    case Reason::consent_revoked:
    case Reason::consent_expired:
    case Reason::purpose_not_consented:
    case Reason::mandate_invalid:
    case Reason::record_not_found:
    case Reason::no_rule:
    case Reason::purpose_not_allowed:
    case Reason::field_not_permitted:
    case Reason::rule_expired:
      return true;
    default:
      return false;
  }
}

NoticeIntake::NoticeIntake(const NotifyConfig& config, const TemplateSet& templates, ScheduleStore& store,
                           ContactDirectory& directory, RateLimiter& limiter, Metrics& metrics, const Clock& clock)
    : config_(config), templates_(templates), store_(store), directory_(directory), limiter_(limiter),
      metrics_(metrics), clock_(clock) {}

IntakeResult NoticeIntake::finish_without_sends(NoticeRow row, IntakeOutcome outcome, const std::string& status,
                                                const std::string& reason) {
  const Instant now = clock_.now();
  row.outcome = to_string(outcome);
  row.reason = reason;
  if (!store_.insert_notice(row, {}, {notice_status(row, status, reason, now)})) return {IntakeOutcome::duplicate, "", 0};
  log::info("notice not scheduled", {{"event_id", row.event_id}, {"publisher", row.publisher},
                                     {"outcome", row.outcome}, {"reason", reason}});
  return {outcome, reason, 0};
}

Result<IntakeResult> NoticeIntake::accept(const IncomingNotice& notice) {
  if (store_.has_notice(notice.event_id)) return IntakeResult{IntakeOutcome::duplicate, "", 0};
  const Instant now = clock_.now();
  const Values values = values_of(notice.record);
  NoticeRow row;
  row.event_id = notice.event_id;
  row.publisher = notice.publisher;
  row.category = notice.category;
  row.subject = notice.subject;
  row.values_json = boost::json::serialize(notice.record);
  row.received_at = now;
  auto template_value = values.find("template");
  row.template_id = template_value == values.end() ? std::string() : template_value->second.substr(0, 64);

  // 1. The notice itself: a template of its category, every value it needs, a real date.
  const NoticeTemplate* t = templates_.find(row.template_id);
  auto reject = [&](const std::string& reason) {
    metrics_.rejected(reason.substr(0, reason.find(':')));
    return finish_without_sends(row, IntakeOutcome::rejected, "permanent-failure", reason);
  };
  if (t == nullptr || t->suggestion) return reject("unknown_template");
  if (t->category != notice.category) return reject("template_category_mismatch: " + t->category);
  if (auto problem = check_values(*t, values)) return reject(problem->code + ": " + problem->detail);
  auto due_text = values.find("due_date");
  auto due = due_text == values.end() ? std::nullopt : parse_date(due_text->second);
  if (!due) return reject("invalid_value: due_date");

  // 2. How the citizen wants to be reached — only with their consent.
  auto preferences = directory_.preferences(notice.subject, kNotificationPurpose);
  if (!preferences) {
    if (!is_consent_refusal(preferences.error().reason)) return preferences.error();
    const std::string reason(to_string(preferences.error().reason));
    metrics_.skipped_for_consent(kNotificationPurpose);
    return finish_without_sends(row, IntakeOutcome::skipped, "skipped", reason);
  }

  // 3. The body's limits, counted only for notices that would produce messages.
  if (std::string refusal = limiter_.admit(notice.publisher, now); !refusal.empty()) {
    metrics_.rejected(refusal);
    return finish_without_sends(row, IntakeOutcome::refused, "permanent-failure", refusal);
  }

  // 4. The plan: each reminder on each channel the citizen chose and the template has.
  std::vector<std::string> channels;
  if (preferences->email && t->email) channels.push_back("email");
  if (preferences->sms && t->sms) channels.push_back("sms");
  if (channels.empty()) {
    metrics_.rejected("no_usable_channel");
    return finish_without_sends(row, IntakeOutcome::skipped, "skipped", "no_usable_channel");
  }
  const CategorySettings& category = config_.category(notice.category);
  const auto plan = plan_reminders(*due, t->offsets_days.value_or(category.offsets_days), config_.schedule.send_minutes,
                                   now, preferences->quiet_hours);
  if (plan.empty()) return reject("due_date_passed");

  std::vector<SendRow> sends;
  for (const auto& planned : plan) {
    for (const auto& channel : channels) {
      SendRow send;
      send.event_id = notice.event_id;
      send.template_id = t->id;
      send.purpose = kNotificationPurpose;
      send.channel = channel;
      send.offset_days = planned.offset_days;
      send.next_attempt_at = planned.at;
      sends.push_back(send);
    }
  }

  // 5. A complementary-service suggestion, only with consent to that purpose; a refusal is
  //    recorded as a skipped send.
  const NoticeTemplate* suggestion =
      category.suggestion_template.empty() ? nullptr : templates_.find(category.suggestion_template);
  std::size_t consent_skips = 0;
  if (suggestion != nullptr && !check_values(*suggestion, values)) {
    SendRow send;
    send.event_id = notice.event_id;
    send.template_id = suggestion->id;
    send.purpose = kSuggestionPurpose;
    send.channel = preferences->email && suggestion->email ? "email" : "sms";
    send.offset_days = plan.front().offset_days;
    send.next_attempt_at = plan.front().at + std::chrono::minutes(1);
    auto consented = directory_.preferences(notice.subject, kSuggestionPurpose);
    if (!consented) {
      if (!is_consent_refusal(consented.error().reason)) return consented.error();
      send.state = SendState::skipped;
      send.reason = to_string(consented.error().reason);
      ++consent_skips;
    }
    sends.push_back(send);
  }

  std::vector<StatusRow> statuses;
  for (const auto& send : sends) statuses.push_back(send_status(row, send, now));
  row.outcome = "accepted";
  if (!store_.insert_notice(row, sends, statuses)) return IntakeResult{IntakeOutcome::duplicate, "", 0};
  for (const auto& send : sends) {
    if (send.state == SendState::created) metrics_.queued(send.channel);
  }
  if (consent_skips > 0) metrics_.skipped_for_consent(kSuggestionPurpose);
  log::info("notice scheduled", {{"event_id", row.event_id}, {"publisher", row.publisher},
                                 {"template", row.template_id}, {"sends", sends.size()}});
  return IntakeResult{IntakeOutcome::accepted, "", sends.size()};
}

}  // namespace pse::notify

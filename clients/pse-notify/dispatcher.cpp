#include "dispatcher.hpp"

#include "access_notice.hpp"
#include "mime_message.hpp"
#include "notice_intake.hpp"
#include "renderer.hpp"
#include "send_plan.hpp"
#include "status_events.hpp"

#include "base/log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace pse::notify {
namespace {

Values values_from_json(const std::string& text) {
  Values values;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return values;
  for (const auto& [key, value] : parsed.as_object()) {
    if (value.is_string()) values[std::string(key)] = std::string(value.as_string());
    else if (!value.is_null()) values[std::string(key)] = boost::json::serialize(value);
  }
  return values;
}

}  // namespace

Dispatcher::Dispatcher(const NotifyConfig& config, const TemplateSet& templates, ScheduleStore& store,
                       ContactDirectory& directory, EmailChannel& email, SmsChannel& sms, Metrics& metrics,
                       const Clock& clock)
    : config_(config), templates_(templates), store_(store), directory_(directory), email_(email), sms_(sms),
      metrics_(metrics), clock_(clock) {}

std::size_t Dispatcher::recover_interrupted() {
  auto interrupted = store_.interrupted();
  for (auto& due : interrupted) {
    log::warn("send interrupted by a restart, not retried", {{"send_id", due.send.id}, {"event_id", due.send.event_id}});
    metrics_.failed(due.send.channel, "permanent");
    record(due, SendState::permanent_failure, "outcome_unknown");
  }
  return interrupted.size();
}

DispatchCounts Dispatcher::run_due(std::size_t limit) {
  counts_ = {};
  for (auto& due : store_.due(clock_.now(), limit)) {
    if (!store_.claim(due.send.id, clock_.now())) continue;
    due.send.state = SendState::sending;
    process(std::move(due));
  }
  return counts_;
}

void Dispatcher::record(DueSend& due, SendState state, const std::string& reason) {
  due.send.state = state;
  due.send.reason = reason;
  const Instant now = clock_.now();
  // Access notices were published by the hub in the provider's name, not sent by the provider:
  // no status goes back to it.
  if (due.notice.category == kAccessCategory) return store_.update(due.send, now, {});
  store_.update(due.send, now, {send_status(due.notice, due.send, now)});
}

Expected<LocalizedContent, RenderError> Dispatcher::content_of(const DueSend& due) {
  if (due.notice.category != kAccessCategory) {
    Content same{values_from_json(due.notice.values_json), {}};
    return LocalizedContent{same, same};
  }
  auto access_of = [](const NoticeRow& notice) -> Expected<AccessNotice, std::string> {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(notice.values_json, ec);
    if (ec || !parsed.is_object()) return std::string("record");
    return parse_access_notice(parsed.as_object());
  };
  if (due.send.template_id != kDigestTemplate) {
    auto access = access_of(due.notice);
    if (!access) return RenderError{"invalid_value", access.error()};
    return LocalizedContent{{access_values(*access, Language::fr, templates_), {}},
                            {access_values(*access, Language::en, templates_), {}}};
  }
  std::vector<AccessNotice> accesses;
  for (const auto& item : store_.digest_items(due.notice.event_id)) {
    auto access = access_of(item);
    if (!access) return RenderError{"invalid_value", access.error()};  // checked on arrival: not expected
    accesses.push_back(std::move(*access));
  }
  DigestContent fr = digest_content(accesses, Language::fr, templates_);
  DigestContent en = digest_content(std::move(accesses), Language::en, templates_);
  return LocalizedContent{{std::move(fr.values), std::move(fr.items)}, {std::move(en.values), std::move(en.items)}};
}

void Dispatcher::retry_later(DueSend& due, const std::string& reason) {
  const auto& retry = config_.schedule.retry;
  if (due.send.attempts >= retry.max_attempts) {
    ++counts_.failed;
    metrics_.failed(due.send.channel, "permanent");
    record(due, SendState::permanent_failure, "too_many_attempts: " + reason);
    return;
  }
  // 1, 2, 4, 8… times the initial delay, at most `max`.
  const int doublings = std::min(due.send.attempts - 1, 20);
  const auto delay = std::min(retry.initial * (std::int64_t{1} << std::max(doublings, 0)), retry.max);
  due.send.next_attempt_at = clock_.now() + delay;
  ++counts_.failed;
  metrics_.failed(due.send.channel, "temporary");
  record(due, SendState::temporary_failure, reason);
}

void Dispatcher::process(DueSend due) {
  SendRow& send = due.send;
  ++send.attempts;
  auto preferences = directory_.preferences(due.notice.subject, send.purpose);
  if (!preferences) {
    if (is_consent_refusal(preferences.error().reason)) {
      ++counts_.skipped;
      metrics_.skipped_for_consent(send.purpose);
      record(due, SendState::skipped, std::string(to_string(preferences.error().reason)));
    } else {
      retry_later(due, "contact_preferences_unavailable");
    }
    return;
  }
  const Instant now = clock_.now();
  if (const Instant allowed = outside_quiet_hours(now, preferences->quiet_hours); allowed != now) {
    // The citizen's quiet hours (perhaps changed since the plan): wait for their end; this
    // costs no attempt.
    --send.attempts;
    send.next_attempt_at = allowed;
    ++counts_.deferred;
    record(due, SendState::created, "quiet_hours");
    return;
  }
  const bool wants = send.channel == "email" ? preferences->email : preferences->sms;
  if (!wants) {
    ++counts_.skipped;
    record(due, SendState::skipped, "channel_not_chosen");
    return;
  }
  const NoticeTemplate* t = templates_.find(send.template_id);
  if (t == nullptr) {
    ++counts_.failed;
    metrics_.failed(send.channel, "permanent");
    record(due, SendState::permanent_failure, "unknown_template");
    return;
  }
  auto content = content_of(due);
  if (!content) {
    ++counts_.failed;
    metrics_.failed(send.channel, "permanent");
    record(due, SendState::permanent_failure, content.error().code + ": " + content.error().detail);
    return;
  }
  const Content& in_language = content->in(preferences->language);

  SendOutcome outcome;
  if (send.channel == "email") {
    auto email = render_email(*t, preferences->language, *content);
    if (!email) {
      ++counts_.failed;
      metrics_.failed(send.channel, "permanent");
      record(due, SendState::permanent_failure, email.error().code + ": " + email.error().detail);
      return;
    }
    MimeEnvelope envelope{config_.smtp.from_address, config_.smtp.from_name, preferences->email_address,
                          "pse-notify-" + std::to_string(send.id) + "@" + config_.smtp.message_id_domain, now};
    outcome = email_.send(OutgoingEmail{config_.smtp.from_address, preferences->email_address,
                                        build_mime_message(envelope, *email)});
  } else {
    auto sms = render_sms(*t, preferences->language, in_language.values, config_.sms.max_segments, in_language.items);
    if (!sms) {
      ++counts_.failed;
      metrics_.failed(send.channel, "permanent");
      record(due, SendState::permanent_failure, sms.error().code + ": " + sms.error().detail);
      return;
    }
    outcome = sms_.send(OutgoingSms{preferences->mobile, sms->text, sms->size.coding, send.id});
  }

  switch (outcome.outcome) {
    case Outcome::sent: {
      ++counts_.sent;
      metrics_.sent(send.channel);
      send.provider_reference = outcome.reference;
      std::lock_guard lock(reports_mutex_);
      record(due, SendState::sent, "");
      if (auto early = early_reports_.find(send.id); early != early_reports_.end()) {
        const Report report = early->second;
        early_reports_.erase(early);
        apply_report(due, report.delivered, report.reason);
      }
      log::info("message sent", {{"send_id", send.id}, {"event_id", send.event_id}, {"channel", send.channel},
                                 {"attempt", send.attempts}});
      break;
    }
    case Outcome::temporary_failure:
      log::warn("send failed, will retry", {{"send_id", send.id}, {"channel", send.channel}, {"reason", outcome.reason}});
      retry_later(due, outcome.reason);
      break;
    case Outcome::permanent_failure:
      log::warn("send failed for good", {{"send_id", send.id}, {"channel", send.channel}, {"reason", outcome.reason}});
      ++counts_.failed;
      metrics_.failed(send.channel, "permanent");
      record(due, SendState::permanent_failure, outcome.reason);
      break;
  }
}

std::size_t Dispatcher::publish_statuses(StatusPublisher& publisher, std::size_t limit) {
  std::size_t published = 0;
  for (const auto& status : store_.pending_statuses(limit)) {
    auto result = publisher.publish(status);
    if (!result) {
      log::warn("status not published yet", {{"reason", to_string(result.error().reason)}});
      break;
    }
    store_.remove_status(status.id);
    ++published;
  }
  return published;
}

void Dispatcher::delivery_report(std::int64_t send_id, bool delivered, const std::string& reason) {
  std::lock_guard lock(reports_mutex_);
  auto due = store_.send(send_id);
  if (!due) return;
  if (due->send.state == SendState::sending) {
    if (early_reports_.size() < 10'000) early_reports_[send_id] = Report{delivered, reason};
    return;
  }
  if (due->send.state == SendState::sent) apply_report(*due, delivered, reason);  // else already final
}

void Dispatcher::apply_report(DueSend& due, bool delivered, const std::string& reason) {
  if (delivered) {
    metrics_.delivered(due.send.channel);
    record(due, SendState::delivered, "");
  } else {
    metrics_.failed(due.send.channel, "permanent");
    record(due, SendState::permanent_failure, reason);
  }
}

}  // namespace pse::notify

#include "status_events.hpp"

#include "quebec_time.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

namespace pse::notify {
namespace {

StatusRow make(const NoticeRow& notice, const std::string& channel, const std::string& status,
               const std::string& reason, const std::string& key_suffix, Instant now) {
  boost::json::object record{{"notice_event_id", notice.event_id},
                             {"template", notice.template_id},
                             {"channel", channel},
                             {"status", status},
                             {"reason", reason},
                             {"updated_at", format_utc(now)}};
  StatusRow row;
  row.publisher = notice.publisher;
  row.subject = notice.subject;
  // Keys: A-Z a-z 0-9 . _ - : (at most 128); event ids are "evt_" and hex digits.
  row.idempotency_key = "st:" + notice.event_id.substr(0, 60) + ":" + key_suffix;
  for (char& c : row.idempotency_key) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '_' || c == '-' || c == ':';
    if (!allowed) c = '_';
  }
  if (row.idempotency_key.size() > 128) row.idempotency_key.resize(128);
  row.record_json = boost::json::serialize(record);
  return row;
}

}  // namespace

StatusRow send_status(const NoticeRow& notice, const SendRow& send, Instant now) {
  NoticeRow for_template = notice;
  for_template.template_id = send.template_id;
  return make(for_template, send.channel, to_string(send.state), send.reason,
              send.template_id.substr(0, 24) + ":" + send.channel + ":" + std::to_string(send.offset_days) + ":" +
                  to_string(send.state) + ":" + std::to_string(send.attempts),
              now);
}

StatusRow notice_status(const NoticeRow& notice, const std::string& status, const std::string& reason, Instant now) {
  return make(notice, "none", status, reason, "notice:" + status, now);
}

}  // namespace pse::notify

#include "contact_preferences.hpp"

#include "mime_message.hpp"
#include "quebec_time.hpp"

namespace pse::notify {
namespace {

std::string string_field(const boost::json::object& record, const char* name) {
  const auto* value = record.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

const char* to_string(AccessNoticeMode mode) {
  switch (mode) {
    case AccessNoticeMode::each: return "each";
    case AccessNoticeMode::daily: return "daily";
    case AccessNoticeMode::none: return "none";
  }
  return "each";
}

std::optional<AccessNoticeMode> access_mode_from_string(const std::string& text) {
  for (auto mode : {AccessNoticeMode::each, AccessNoticeMode::daily, AccessNoticeMode::none}) {
    if (text == to_string(mode)) return mode;
  }
  return std::nullopt;
}

bool is_e164(const std::string& number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+' || number[1] == '0') return false;
  for (std::size_t i = 1; i < number.size(); ++i) {
    if (number[i] < '0' || number[i] > '9') return false;
  }
  return true;
}

Expected<ContactPreferences, std::string> parse_contact_preferences(const boost::json::object& record) {
  ContactPreferences p;
  const std::string channel = string_field(record, "channel");
  if (channel == "email") {
    p.email = true;
  } else if (channel == "sms") {
    p.sms = true;
  } else if (channel == "both") {
    p.email = p.sms = true;
  } else {
    return std::string("channel");
  }
  p.email_address = string_field(record, "email");
  p.mobile = string_field(record, "mobile");
  if (p.email && !is_plausible_email_address(p.email_address)) return std::string("email");
  if (p.sms && !is_e164(p.mobile)) return std::string("mobile");
  const std::string language = string_field(record, "language");
  if (!language.empty()) {
    auto parsed = language_from_string(language);
    if (!parsed) return std::string("language");
    p.language = *parsed;
  }
  const std::string start = string_field(record, "quiet_hours_start");
  const std::string end = string_field(record, "quiet_hours_end");
  if (!start.empty() || !end.empty()) {
    auto s = parse_minutes(start);
    auto e = parse_minutes(end);
    if (!s || !e) return std::string(!s ? "quiet_hours_start" : "quiet_hours_end");
    p.quiet_hours = QuietHours{*s, *e};
  }
  if (const std::string mode = string_field(record, "access_notices"); !mode.empty()) {
    p.access_notices = access_mode_from_string(mode);
    if (!p.access_notices) return std::string("access_notices");
  }
  return p;
}

}  // namespace pse::notify

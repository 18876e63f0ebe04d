// How a citizen wants to be reached: the contact.preferences record of Services Québec.
#pragma once

#include "notice_template.hpp"
#include "send_plan.hpp"

#include <pse/expected.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace pse::notify {

/// How often a citizen hears of the exchanges of their information (access notices): each one
/// promptly, one digest a day, or not at all.
enum class AccessNoticeMode { each, daily, none };
const char* to_string(AccessNoticeMode mode);
std::optional<AccessNoticeMode> access_mode_from_string(const std::string& text);

struct ContactPreferences {
  bool email = false;
  bool sms = false;
  std::string email_address;
  std::string mobile;  ///< E.164
  Language language = Language::fr;
  std::optional<QuietHours> quiet_hours;
  std::optional<AccessNoticeMode> access_notices;  ///< absent: notify.yaml's default
};

/// Reads the record; the error names the field that is unusable (never its value).
Expected<ContactPreferences, std::string> parse_contact_preferences(const boost::json::object& record);

/// "+" then 8 to 15 digits.
bool is_e164(const std::string& number);

}  // namespace pse::notify

// notify.yaml: how pse-notify reaches the broker, the SMTP server and the SMS gateway, when
// it sends, and its limits. Unknown keys and bad values are refused with file and line.
#pragma once

#include "contact_preferences.hpp"
#include "rate_limiter.hpp"

#include <pse/client_options.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pse::notify {

struct CategorySettings {
  std::vector<int> offsets_days{30, 7};
  /// A template with `suggestion: true`, offered with consent to service_suggestions.
  std::string suggestion_template;
  int suggestion_line = 0;  ///< where notify.yaml names it, for errors
};

struct RetrySettings {
  std::chrono::seconds initial{60};
  std::chrono::seconds max{3600};
  int max_attempts = 8;
};

struct ScheduleSettings {
  int send_minutes = 10 * 60;  ///< local hour reminders go out at (10:00)
  std::map<std::string, CategorySettings> categories;
  RetrySettings retry;
  std::chrono::seconds tick{30};  ///< how often the schedule is looked at
};

struct SmtpSettings {
  std::string host = "localhost";
  std::uint16_t port = 587;
  /// Always STARTTLS; the server's certificate is verified against `ca_file` and the host
  /// name (`server_name`, default `host`).
  std::string server_name;
  std::filesystem::path ca_file;
  std::string username;
  std::string password;  ///< read from password_file
  std::string helo_name = "pse-notify.localdomain";
  std::string from_address = "ne-pas-repondre@notification.gouv.qc.ca";
  std::string from_name = "Gouvernement du Québec";
  std::string message_id_domain = "notification.gouv.qc.ca";
  std::chrono::milliseconds timeout{10000};
};

struct SmsSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 13013;
  std::string path = "/cgi-bin/sendsms";
  std::string username;
  std::string password;  ///< read from password_file
  std::string from = "QUEBEC";
  std::size_t max_segments = 3;
  std::chrono::milliseconds timeout{10000};
};

/// Access notices (notice.data_access): how often a citizen who did not say hears of them, and
/// when the daily digest leaves.
struct AccessSettings {
  AccessNoticeMode default_mode = AccessNoticeMode::each;
  /// Local time the digest of a day goes out, the next day (so that it lists the whole day).
  int digest_minutes = 8 * 60;
};

struct HttpSettings {
  std::string address = "127.0.0.1";
  std::uint16_t port = 9190;
};

struct NotifyConfig {
  ClientOptions broker;
  std::filesystem::path store_file;
  std::filesystem::path templates_file;
  HttpSettings http;
  SmtpSettings smtp;
  SmsSettings sms;
  ScheduleSettings schedule;
  AccessSettings access;
  BodyLimits default_limits;
  std::map<std::string, BodyLimits> body_limits;

  const CategorySettings& category(const std::string& id) const;
};

/// Throws ConfigError.
NotifyConfig load_notify_config(const std::filesystem::path& file);

class TemplateSet;
/// The templates notify.yaml names exist and are what it says (suggestions of the category);
/// throws ConfigError with notify.yaml's line.
void check_templates(const NotifyConfig& config, const std::filesystem::path& config_file, const TemplateSet& templates);

}  // namespace pse::notify

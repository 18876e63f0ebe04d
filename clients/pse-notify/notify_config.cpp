#include "notify_config.hpp"

#include "access_notice.hpp"
#include "notice_template.hpp"
#include "quebec_time.hpp"

#include "base/yaml_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace pse::notify {
namespace {

// An optional "HH:MM" (Québec time), as minutes after midnight into `minutes`.
void read_time_of_day(YamlMap& map, const std::string& key, int& minutes) {
  const auto text = map.optional_string(key);
  if (!text) return;
  const auto parsed = parse_minutes(*text);
  if (!parsed) map.fail_key(key, "must be HH:MM");
  minutes = *parsed;
}

/// The first line of the password file `key` names. Like ssh with a private key, a file that
/// its group or others may read (or write) is refused: the password would not be a secret.
/// The mode is checked on the descriptor that is then read.
/// Errors name `section`.`key` and point at the value's line.
std::string read_secret(YamlMap& map, const std::string& section, const std::string& key) {
  const auto node = map.optional_node(key);
  if (!node) return {};
  const std::string name = section + "." + key;
  auto fail = [&](const std::string& reason) { map.fail(*node, name + " " + reason); };
  if (!node->IsScalar() || node->Scalar().empty()) fail("must be the name of a file");
  const auto path = resolve_relative_to(map.file(), node->Scalar());
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail("cannot read " + path.string());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) fail(path.string() + " is not a regular file");
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    fail("password file " + path.string() + " has mode " + mode + "; it must be readable by its owner only (chmod 600)");
  }
  std::string secret;
  char buffer[4096];
  while (secret.find('\n') == std::string::npos && secret.size() < 65536) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) fail("cannot read " + path.string());
    if (count == 0) break;
    secret.append(buffer, static_cast<std::size_t>(count));
  }
  return secret.substr(0, secret.find('\n'));
}

std::uint16_t port_of(YamlMap& map, const std::string& key, std::uint16_t fallback) {
  return static_cast<std::uint16_t>(map.integer_or(key, fallback, 1, 65535));
}

BodyLimits read_limits(const YAML::Node& node, const std::filesystem::path& file, const std::string& what) {
  YamlMap map(node, file, what);
  BodyLimits limits;
  limits.per_minute = map.integer_or("per_minute", limits.per_minute, 1, 1'000'000);
  limits.per_day = map.integer_or("per_day", limits.per_day, 1, 100'000'000);
  map.finish();
  return limits;
}

std::vector<int> read_offsets(YamlMap& map, const std::string& key, std::vector<int> fallback) {
  auto node = map.optional_node(key);
  if (!node) return fallback;
  if (!node->IsSequence() || node->size() == 0) map.fail(*node, key + " must be a non-empty list of days");
  std::vector<int> out;
  for (const auto& item : *node) {
    int days = -1;
    try {
      days = item.as<int>();
    } catch (const YAML::Exception&) {
    }
    if (days < 0 || days > 366) map.fail(item, key + " must hold days from 0 to 366");
    out.push_back(days);
  }
  return out;
}

}  // namespace

const CategorySettings& NotifyConfig::category(const std::string& id) const {
  static const CategorySettings defaults;
  auto it = schedule.categories.find(id);
  return it == schedule.categories.end() ? defaults : it->second;
}

NotifyConfig load_notify_config(const std::filesystem::path& file) {
  YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "notify.yaml");
  NotifyConfig config;

  YamlMap broker(top.required_node("broker"), file, "broker");
  config.broker.host = broker.string_or("host", "localhost");
  config.broker.port = port_of(broker, "port", 8443);
  config.broker.server_name = broker.string_or("server_name", "");
  config.broker.ca_file = resolve_relative_to(file, broker.required_string("ca_file"));
  config.broker.certificate_file = resolve_relative_to(file, broker.required_string("certificate_file"));
  config.broker.key_file = resolve_relative_to(file, broker.required_string("key_file"));
  broker.finish();

  config.store_file = resolve_relative_to(file, top.required_string("store"));
  config.templates_file = resolve_relative_to(file, top.required_string("templates"));

  if (auto node = top.optional_node("http")) {
    YamlMap http(*node, file, "http");
    config.http.address = http.string_or("address", config.http.address);
    config.http.port = static_cast<std::uint16_t>(http.integer_or("port", config.http.port, 0, 65535));
    http.finish();
  }

  YamlMap smtp(top.required_node("smtp"), file, "smtp");
  config.smtp.host = smtp.required_string("host");
  config.smtp.port = port_of(smtp, "port", 587);
  config.smtp.server_name = smtp.string_or("server_name", "");
  config.smtp.ca_file = resolve_relative_to(file, smtp.required_string("ca_file"));
  config.smtp.username = smtp.string_or("username", "");
  config.smtp.password = read_secret(smtp, "smtp", "password_file");
  config.smtp.helo_name = smtp.string_or("helo_name", config.smtp.helo_name);
  config.smtp.from_address = smtp.string_or("from_address", config.smtp.from_address);
  config.smtp.from_name = smtp.string_or("from_name", config.smtp.from_name);
  config.smtp.message_id_domain = smtp.string_or("message_id_domain", config.smtp.message_id_domain);
  config.smtp.timeout = std::chrono::milliseconds(smtp.integer_or("timeout_ms", 10000, 100, 600000));
  smtp.finish();

  YamlMap sms(top.required_node("sms"), file, "sms");
  config.sms.host = sms.string_or("host", config.sms.host);
  config.sms.port = port_of(sms, "port", config.sms.port);
  config.sms.path = sms.string_or("path", config.sms.path);
  config.sms.username = sms.required_string("username");
  config.sms.password = read_secret(sms, "sms", "password_file");
  config.sms.from = sms.string_or("from", config.sms.from);
  config.sms.max_segments = static_cast<std::size_t>(sms.integer_or("max_segments", 3, 1, 10));
  config.sms.timeout = std::chrono::milliseconds(sms.integer_or("timeout_ms", 10000, 100, 600000));
  sms.finish();

  if (auto node = top.optional_node("schedule")) {
    YamlMap schedule(*node, file, "schedule");
    read_time_of_day(schedule, "send_at", config.schedule.send_minutes);
    config.schedule.tick = std::chrono::seconds(schedule.integer_or("tick_seconds", 30, 1, 3600));
    if (auto categories = schedule.optional_node("categories")) {
      if (!categories->IsMap()) schedule.fail(*categories, "schedule.categories must be a mapping");
      for (const auto& entry : *categories) {
        const std::string id = entry.first.Scalar();
        YamlMap category(entry.second, file, "category '" + id + "'");
        CategorySettings settings;
        settings.offsets_days = read_offsets(category, "offsets_days", settings.offsets_days);
        if (category.has("suggestion_template")) {
          settings.suggestion_line = pse::line_of(entry.second["suggestion_template"]);
        }
        settings.suggestion_template = category.string_or("suggestion_template", "");
        category.finish();
        config.schedule.categories[id] = settings;
      }
    }
    if (auto retry_node = schedule.optional_node("retry")) {
      YamlMap retry(*retry_node, file, "schedule.retry");
      config.schedule.retry.initial = std::chrono::seconds(retry.integer_or("initial_seconds", 60, 1, 86400));
      config.schedule.retry.max = std::chrono::seconds(retry.integer_or("max_seconds", 3600, 1, 7 * 86400));
      config.schedule.retry.max_attempts = static_cast<int>(retry.integer_or("max_attempts", 8, 1, 100));
      retry.finish();
    }
    schedule.finish();
  }

  if (auto node = top.optional_node("access_notices")) {
    YamlMap access(*node, file, "access_notices");
    if (auto mode = access.optional_string("default")) {
      auto parsed = access_mode_from_string(*mode);
      if (!parsed) access.fail_key("default", "must be each, daily or none");
      config.access.default_mode = *parsed;
    }
    read_time_of_day(access, "digest_at", config.access.digest_minutes);
    access.finish();
  }

  if (auto node = top.optional_node("limits")) {
    YamlMap limits(*node, file, "limits");
    if (auto defaults = limits.optional_node("default")) config.default_limits = read_limits(*defaults, file, "limits.default");
    if (auto bodies = limits.optional_node("bodies")) {
      if (!bodies->IsMap()) limits.fail(*bodies, "limits.bodies must be a mapping");
      for (const auto& entry : *bodies) {
        config.body_limits[entry.first.Scalar()] = read_limits(entry.second, file, "limits for " + entry.first.Scalar());
      }
    }
    limits.finish();
  }
  top.finish();
  return config;
}

void check_templates(const NotifyConfig& config, const std::filesystem::path& config_file, const TemplateSet& templates) {
  // Access notices arrive whatever the templates say: their two templates must be there.
  for (const char* id : {kAccessTemplate, kDigestTemplate}) {
    const NoticeTemplate* t = templates.find(id);
    if (t == nullptr || t->category != kAccessCategory) {
      throw ConfigError(templates.file(), t ? t->line : 0,
                        std::string("template '") + id + "' of category " + kAccessCategory + " is missing");
    }
  }
  for (const auto& [category, settings] : config.schedule.categories) {
    if (settings.suggestion_template.empty()) continue;
    const NoticeTemplate* t = templates.find(settings.suggestion_template);
    if (t == nullptr || !t->suggestion || t->category != category) {
      throw ConfigError(config_file, settings.suggestion_line,
                        "suggestion_template '" + settings.suggestion_template + "' is not a suggestion template of " +
                            category + " in " + templates.file().string());
    }
  }
}

}  // namespace pse::notify

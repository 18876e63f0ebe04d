// config/feedback/feedback.yaml: everything pse-feedback needs to run. Relative paths are
// resolved against the file's directory; unknown keys and bad values are refused with the file,
// line and reason (ConfigError).
#pragma once

#include "moderation.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pse::feedback {

struct BrokerSettings {
  std::string host;
  std::uint16_t port = 8443;
  std::filesystem::path ca;
  std::filesystem::path certificate;
  std::filesystem::path key;
  int publish_interval_seconds = 10;
};

struct FeedbackConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8445;  ///< 0: an ephemeral port (tests)
  std::size_t max_connections = 512;  ///< open at once, handshakes included; more are closed
  std::string public_url;            ///< e.g. https://retroaction.gouv.qc.ca — links are public_url + "/f/<token>"
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_key;
  std::filesystem::path signing_key;
  std::filesystem::path database;
  std::filesystem::path services;
  std::vector<std::filesystem::path> profanity_lists;
  std::vector<std::filesystem::path> threat_lists;
  std::size_t comment_max_chars = 2000;
  std::size_t body_max_bytes = 16384;
  ModerationPolicy moderation;
  int rate_limit_posts = 10;
  int rate_limit_seconds = 60;
  int link_valid_days = 30;
  std::optional<BrokerSettings> broker;  ///< absent: approved answers wait in the outbox
};

/// Throws ConfigError.
FeedbackConfig load_feedback_config(const std::filesystem::path& file);

}  // namespace pse::feedback

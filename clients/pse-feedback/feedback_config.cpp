#include "feedback_config.hpp"

#include "base/yaml_reader.hpp"

namespace pse::feedback {
namespace {

std::vector<std::filesystem::path> paths(const std::filesystem::path& file, const std::vector<std::string>& values) {
  std::vector<std::filesystem::path> out;
  for (const auto& value : values) out.push_back(resolve_relative_to(file, value));
  return out;
}

}  // namespace

FeedbackConfig load_feedback_config(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "feedback configuration");
  FeedbackConfig config;

  YamlMap listen(top.required_node("listen"), file, "listen");
  config.listen_address = listen.string_or("address", config.listen_address);
  config.listen_port = static_cast<std::uint16_t>(listen.integer_or("port", config.listen_port, 0, 65535));
  config.max_connections = static_cast<std::size_t>(listen.integer_or("max_connections", 512, 1, 100000));
  listen.finish();

  config.public_url = top.required_string("public_url");
  if (config.public_url.rfind("https://", 0) != 0) top.fail_key("public_url", "must start with https://");
  while (!config.public_url.empty() && config.public_url.back() == '/') config.public_url.pop_back();

  YamlMap tls(top.required_node("tls"), file, "tls");
  config.tls_certificate = resolve_relative_to(file, tls.required_string("certificate"));
  config.tls_key = resolve_relative_to(file, tls.required_string("key"));
  tls.finish();

  config.signing_key = resolve_relative_to(file, top.required_string("signing_key"));
  config.database = resolve_relative_to(file, top.required_string("database"));
  config.services = resolve_relative_to(file, top.required_string("services"));

  YamlMap words(top.required_node("words"), file, "words");
  config.profanity_lists = paths(file, words.string_list("profanity"));
  config.threat_lists = paths(file, words.string_list("threats"));
  words.finish();

  if (auto node = top.optional_node("form")) {
    YamlMap form(*node, file, "form");
    config.comment_max_chars = static_cast<std::size_t>(form.integer_or("comment_max_chars", 2000, 1, 10000));
    config.body_max_bytes = static_cast<std::size_t>(form.integer_or("body_max_bytes", 16384, 1024, 1048576));
    form.finish();
  }
  if (auto node = top.optional_node("moderation")) {
    YamlMap moderation(*node, file, "moderation");
    config.moderation.threshold = static_cast<int>(moderation.integer_or("threshold", 3, 1, 1000));
    config.moderation.pii_weight = static_cast<int>(moderation.integer_or("pii_weight", 1, 0, 100));
    config.moderation.profanity_weight = static_cast<int>(moderation.integer_or("profanity_weight", 2, 0, 100));
    config.moderation.threat_weight = static_cast<int>(moderation.integer_or("threat_weight", 10, 0, 100));
    config.moderation.link_weight = static_cast<int>(moderation.integer_or("link_weight", 3, 0, 100));
    moderation.finish();
  }
  if (auto node = top.optional_node("rate_limit")) {
    YamlMap limit(*node, file, "rate_limit");
    config.rate_limit_posts = static_cast<int>(limit.integer_or("posts", 10, 1, 100000));
    config.rate_limit_seconds = static_cast<int>(limit.integer_or("per_seconds", 60, 1, 86400));
    limit.finish();
  }
  if (auto node = top.optional_node("links")) {
    YamlMap links(*node, file, "links");
    config.link_valid_days = static_cast<int>(links.integer_or("valid_days", 30, 1, 366));
    links.finish();
  }
  if (auto node = top.optional_node("broker")) {
    YamlMap broker(*node, file, "broker");
    BrokerSettings settings;
    settings.host = broker.required_string("host");
    settings.port = static_cast<std::uint16_t>(broker.integer_or("port", 8443, 1, 65535));
    settings.ca = resolve_relative_to(file, broker.required_string("ca"));
    settings.certificate = resolve_relative_to(file, broker.required_string("certificate"));
    settings.key = resolve_relative_to(file, broker.required_string("key"));
    settings.publish_interval_seconds = static_cast<int>(broker.integer_or("publish_interval_seconds", 10, 1, 3600));
    broker.finish();
    config.broker = settings;
  }
  top.finish();
  return config;
}

}  // namespace pse::feedback

#include "portal_config.hpp"

#include "base/yaml_reader.hpp"

namespace pse::portal {
namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

PortalConfig load_portal_config(const std::filesystem::path& file) {
  const YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "portal configuration");
  PortalConfig config;

  YamlMap listen(top.required_node("listen"), file, "listen");
  config.listen_address = listen.string_or("address", config.listen_address);
  config.listen_port = static_cast<std::uint16_t>(listen.integer_or("port", config.listen_port, 0, 65535));
  config.max_connections = static_cast<std::size_t>(listen.integer_or("max_connections", 512, 1, 100000));
  listen.finish();

  config.public_url = without_trailing_slash(top.required_string("public_url"));
  if (!config.public_url.starts_with("https://")) top.fail_key("public_url", "must start with https://");

  YamlMap tls(top.required_node("tls"), file, "tls");
  config.tls_certificate = resolve_relative_to(file, tls.required_string("certificate"));
  config.tls_key = resolve_relative_to(file, tls.required_string("key"));
  tls.finish();

  YamlMap oidc(top.required_node("oidc"), file, "oidc");
  config.oidc.issuer = without_trailing_slash(oidc.required_string("issuer"));
  if (!config.oidc.issuer.starts_with("https://")) oidc.fail_key("issuer", "must start with https://");
  config.oidc.client_id = oidc.required_string("client_id");
  config.oidc.client_secret_file = resolve_relative_to(file, oidc.required_string("client_secret_file"));
  const std::string ca = oidc.string_or("ca", "");
  if (!ca.empty()) config.oidc.ca = resolve_relative_to(file, ca);
  config.oidc.subject_claim = oidc.string_or("subject_claim", config.oidc.subject_claim);
  config.oidc.scope = oidc.string_or("scope", config.oidc.scope);
  if (config.oidc.scope.find("openid") == std::string::npos) oidc.fail_key("scope", "must include openid");
  oidc.finish();

  YamlMap broker(top.required_node("broker"), file, "broker");
  config.broker.host = broker.required_string("host");
  config.broker.port = static_cast<std::uint16_t>(broker.integer_or("port", 8443, 1, 65535));
  config.broker.ca = resolve_relative_to(file, broker.required_string("ca"));
  config.broker.certificate = resolve_relative_to(file, broker.required_string("certificate"));
  config.broker.key = resolve_relative_to(file, broker.required_string("key"));
  broker.finish();

  const auto optional_path = [&](const char* key) {
    const std::string value = top.string_or(key, "");
    return value.empty() ? std::filesystem::path() : resolve_relative_to(file, value);
  };
  config.policy_dir = optional_path("policy_dir");
  config.words = optional_path("words");
  config.receipt_key = optional_path("receipt_key");
  config.preferences_db = optional_path("preferences_db");

  if (auto node = top.optional_node("session")) {
    YamlMap session(*node, file, "session");
    config.session_idle = std::chrono::minutes(session.integer_or("idle_minutes", 15, 1, 120));
    config.session_max = std::chrono::minutes(session.integer_or("max_minutes", 480, 5, 1440));
    session.finish();
  }
  if (auto node = top.optional_node("rate_limit")) {
    YamlMap limit(*node, file, "rate_limit");
    config.rate_limit_posts = static_cast<int>(limit.integer_or("posts", 30, 1, 100000));
    config.rate_limit_seconds = static_cast<int>(limit.integer_or("per_seconds", 60, 1, 86400));
    limit.finish();
  }
  top.finish();
  return config;
}

}  // namespace pse::portal

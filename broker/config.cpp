#include "broker/config.hpp"

#include "base/key_file.hpp"
#include "base/log.hpp"
#include "base/yaml_reader.hpp"

#include <arpa/inet.h>

#include <limits>

namespace pse::broker {
namespace {

bool is_numeric_address(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_valid_trust_domain(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  return text.front() != '.' && text.back() != '.' && text.front() != '-';
}

// address and port of a listener's mapping; the caller finishes the map.
Endpoint read_endpoint_fields(YamlMap& map, const YAML::Node& node, const std::string& key,
                              const std::string& default_address, std::uint16_t default_port) {
  Endpoint endpoint{default_address, default_port};
  endpoint.address = map.string_or("address", default_address);
  if (!is_numeric_address(endpoint.address)) {
    map.fail(node["address"], key + ".address '" + endpoint.address + "' is not a numeric IPv4 or IPv6 address");
  }
  endpoint.port = static_cast<std::uint16_t>(map.integer_or("port", default_port, 0, 65535));
  return endpoint;
}

Endpoint read_endpoint(YamlMap& parent, const std::string& key, const std::string& default_address,
                       std::uint16_t default_port) {
  auto node = parent.optional_node(key);
  if (!node) return {default_address, default_port};
  YamlMap map(*node, parent.file(), key);
  Endpoint endpoint = read_endpoint_fields(map, *node, key, default_address, default_port);
  map.finish();
  return endpoint;
}

// 0.0.0.0 and ::: every interface.
bool is_wildcard_address(const std::string& text) {
  in6_addr address{};
  if (inet_pton(AF_INET6, text.c_str(), &address) == 1) return IN6_IS_ADDR_UNSPECIFIED(&address);
  return text == "0.0.0.0";
}

// 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: reachable from this host only.
bool is_loopback_address(const std::string& text) {
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

std::filesystem::path existing_file(YamlMap& map, const YAML::Node& node, const std::string& key) {
  const std::string value = map.required_string(key);
  auto path = resolve_relative_to(map.file(), value);
  if (!std::filesystem::is_regular_file(path)) {
    map.fail(node[key], key + " file not found: " + path.string());
  }
  return path;
}

std::chrono::milliseconds millis(YamlMap& map, const std::string& key, std::chrono::milliseconds fallback) {
  return std::chrono::milliseconds(map.integer_or(key, fallback.count(), 1, 3'600'000));
}

TlsConfig read_tls(YamlMap& parent) {
  YAML::Node node = parent.required_node("tls");
  YamlMap map(node, parent.file(), "tls");
  TlsConfig tls;
  tls.ca_file = existing_file(map, node, "ca");
  tls.cert_file = existing_file(map, node, "cert");
  tls.key_file = existing_file(map, node, "key");
  tls.crl_file = existing_file(map, node, "crl");
  const std::string version = map.string_or("min_version", "1.3");
  if (version == "1.3") {
    tls.min_version = TlsVersion::v1_3;
  } else if (version == "1.2") {
    tls.min_version = TlsVersion::v1_2;
  } else {
    map.fail(node["min_version"], "tls.min_version must be \"1.2\" or \"1.3\", got '" + version + "'");
  }
  tls.crl_poll_interval = std::chrono::milliseconds(map.integer_or("crl_poll_interval_ms", 5'000, 100, 3'600'000));
  map.finish();
  return tls;
}

// The admin listener serves metrics and operator routes: on loopback it relies on the host's
// own access control; anywhere else only mutual TLS with the operator role may guard it.
void read_admin(YamlMap& parent, BrokerConfig& config) {
  config.admin = {"127.0.0.1", 9090};
  auto node = parent.optional_node("admin");
  if (!node) return;
  YamlMap map(*node, parent.file(), "admin");
  config.admin = read_endpoint_fields(map, *node, "admin", "127.0.0.1", 9090);
  AdminAccess& access = config.admin_access;
  access.mtls = map.boolean_or("mtls", false);
  if (!access.mtls && !is_loopback_address(config.admin.address)) {
    map.fail((*node)["address"], "admin.address '" + config.admin.address +
                                     "' is not a loopback address; the admin listener serves metrics and "
                                     "operator routes, so off loopback it needs 'mtls: true' (operator role)");
  }
  if (is_wildcard_address(config.admin.address)) {
    map.fail((*node)["address"], "admin.address '" + config.admin.address +
                                     "' means every interface; name the one to serve, since requests must "
                                     "name it (or localhost) in their Host header");
  }
  if (auto token = map.optional_string("token_file")) {
    access.token_file = resolve_relative_to(map.file(), *token);
    if (!std::filesystem::is_regular_file(access.token_file)) {
      map.fail((*node)["token_file"], "admin.token_file not found: " + access.token_file.string() +
                                          " (create it with: openssl rand -hex 32 > FILE; chmod 600 FILE)");
    }
    try {
      read_secret_key_file(access.token_file);  // exists, and readable by its owner only
    } catch (const ConfigError& e) {
      map.fail((*node)["token_file"], "admin.token_file " + access.token_file.string() + ": " + e.reason());
    }
  }
  access.max_connections =
      static_cast<std::uint32_t>(map.integer_or("max_connections", access.max_connections, 1, 10'000));
  map.finish();
}

// What one organisation may send before anything it asks for is audited (admission/org_admission.hpp).
void read_org_limits(YamlMap& map, Limits& limits) {
  auto read = [&map](const char* key, std::uint32_t& value, std::int64_t max) {
    value = static_cast<std::uint32_t>(map.integer_or(key, value, 1, max));
  };
  read("exchange_rate_per_org", limits.exchange_rate_per_org, 1'000'000);
  read("exchange_burst_per_org", limits.exchange_burst_per_org, 1'000'000);
  read("publish_rate_per_org", limits.publish_rate_per_org, 1'000'000);
  read("publish_burst_per_org", limits.publish_burst_per_org, 1'000'000);
  read("max_publishes_in_flight_per_org", limits.max_publishes_in_flight_per_org, 100'000);
  // The audit log queues 65,536 entries in all: one organisation's share is part of it.
  read("audit_pending_per_org", limits.audit_pending_per_org, 65'536);
}

Limits read_limits(YamlMap& parent) {
  Limits limits;
  auto node = parent.optional_node("limits");
  if (!node) return limits;
  YamlMap map(*node, parent.file(), "limits");
  auto count = [&map](const std::string& key, std::uint32_t fallback) {
    return static_cast<std::uint32_t>(map.integer_or(key, fallback, 1, 1'000'000));
  };
  limits.max_handshakes = count("max_handshakes", limits.max_handshakes);
  limits.max_handshakes_per_address = count("max_handshakes_per_address", limits.max_handshakes_per_address);
  limits.max_connections = count("max_connections", limits.max_connections);
  limits.max_connections_per_org = count("max_connections_per_org", limits.max_connections_per_org);
  limits.max_connection_lifetime = std::chrono::seconds(
      map.integer_or("max_connection_lifetime_s", limits.max_connection_lifetime.count(), 1, 7 * 24 * 3600));
  limits.header_bytes = static_cast<std::uint32_t>(map.integer_or("header_bytes", limits.header_bytes, 1024, 1024 * 1024));
  limits.body_bytes = static_cast<std::uint64_t>(
      map.integer_or("body_bytes", static_cast<std::int64_t>(limits.body_bytes), 0, 1LL << 30));
  limits.handshake_timeout = millis(map, "handshake_timeout_ms", limits.handshake_timeout);
  limits.idle_timeout = millis(map, "idle_timeout_ms", limits.idle_timeout);
  limits.request_timeout = millis(map, "request_timeout_ms", limits.request_timeout);
  limits.drain_timeout = millis(map, "drain_timeout_ms", limits.drain_timeout);
  limits.provider_timeout = millis(map, "provider_timeout_ms", limits.provider_timeout);
  limits.max_in_flight_per_org =
      static_cast<std::uint32_t>(map.integer_or("max_in_flight_per_org", limits.max_in_flight_per_org, 1, 100'000));
  read_org_limits(map, limits);
  map.finish();
  return limits;
}

PubSubConfig read_pubsub(YamlMap& parent) {
  PubSubConfig pubsub;
  auto node = parent.optional_node("pubsub");
  if (!node) return pubsub;
  YamlMap map(*node, parent.file(), "pubsub");
  pubsub.queue_key = map.string_or("queue_key", pubsub.queue_key);
  pubsub.max_attempts = static_cast<std::uint32_t>(map.integer_or("max_attempts", pubsub.max_attempts, 1, 1000));
  pubsub.ack_timeout = millis(map, "ack_timeout_ms", pubsub.ack_timeout);
  pubsub.retry_initial = millis(map, "retry_initial_ms", pubsub.retry_initial);
  pubsub.retry_max = millis(map, "retry_max_ms", pubsub.retry_max);
  if (pubsub.retry_max < pubsub.retry_initial) map.fail((*node)["retry_max_ms"], "retry_max_ms must be at least retry_initial_ms");
  pubsub.idempotency_retention = std::chrono::hours(map.integer_or("idempotency_retention_hours", 168, 1, 24 * 366));
  if (auto list = map.optional_node("subscriptions")) {
    if (!list->IsSequence()) map.fail(*list, "subscriptions must be a list of {subscriber, category, purpose}");
    for (const YAML::Node& item : *list) {
      YamlMap entry(item, parent.file(), "subscription");
      ConfiguredSubscription subscription;
      subscription.subscriber = entry.required_string("subscriber");
      subscription.category = entry.required_string("category");
      subscription.purpose = entry.required_string("purpose");
      entry.finish();
      pubsub.subscriptions.push_back(std::move(subscription));
    }
  }
  map.finish();
  return pubsub;
}

}  // namespace

BrokerConfig load_broker_config(const std::filesystem::path& file) {
  YAML::Node root = load_yaml_file(file);
  YamlMap top(root, file, "broker.yaml");
  BrokerConfig config;
  config.source = file;
  config.trust_domain = top.string_or("trust_domain", config.trust_domain);
  if (!is_valid_trust_domain(config.trust_domain)) {
    top.fail(root["trust_domain"], "trust_domain '" + config.trust_domain +
                                       "' must be a lowercase DNS name (letters, digits, '.', '-')");
  }
  config.listen = read_endpoint(top, "listen", "127.0.0.1", 8443);
  read_admin(top, config);
  config.tls = read_tls(top);
  config.limits = read_limits(top);
  config.orgs_file = existing_file(top, root, "orgs");
  config.classification_file = existing_file(top, root, "classification");
  config.policies_file = existing_file(top, root, "policies");
  if (top.has("data_dir")) {
    top.fail(root["data_dir"], "data_dir is now part of the store: section "
                               "(store: {backend: sqlite, data_dir: …}, or backend: postgresql)");
  }
  config.store = store::read_store_config(top.required_node("store"), file);
  config.keys_dir = resolve_relative_to(file, top.required_string("keys_dir"));
  if (!std::filesystem::is_directory(config.keys_dir)) {
    top.fail(root["keys_dir"], "keys_dir not found: " + config.keys_dir.string() +
                                   " (create the keys with: pse-audit keygen --dir DIR)");
  }
  if (auto consent = top.optional_node("consent")) {
    YamlMap map(*consent, file, "consent");
    config.consent_max_validity_days =
        static_cast<int>(map.integer_or("max_validity_days", config.consent_max_validity_days, 1, 3660));
    map.finish();
  }
  config.pubsub = read_pubsub(top);
  config.threads = static_cast<unsigned>(top.integer_or("threads", 2, 1, 256));
  config.log_level = top.string_or("log_level", "info");
  log::Level level;
  if (!log::parse_level(config.log_level, level)) {
    top.fail(root["log_level"], "log_level must be debug, info, warn or error, got '" + config.log_level + "'");
  }
  top.finish();
  return config;
}

}  // namespace pse::broker

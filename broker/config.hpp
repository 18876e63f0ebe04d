// The broker's configuration (config/broker.yaml), loaded into typed, validated values.
// Paths in the file are relative to the file's own directory.
#pragma once

#include "store/store_config.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pse::broker {

struct Endpoint {
  std::string address;  ///< numeric IPv4 or IPv6 address
  std::uint16_t port = 0;  ///< 0 = any free port (tests)
};

enum class TlsVersion { v1_2, v1_3 };

struct TlsConfig {
  std::filesystem::path ca_file;      ///< the platform CA; client certificates must chain to it
  std::filesystem::path cert_file;    ///< the broker's server certificate
  std::filesystem::path key_file;
  std::filesystem::path crl_file;     ///< the platform CRL, checked on every handshake
  TlsVersion min_version = TlsVersion::v1_3;
  /// How often the CRL file is looked at (inode, size, mtime); a change reloads it, no SIGHUP.
  std::chrono::milliseconds crl_poll_interval{5'000};
};

/// Who may use the admin listener, and how many at once (broker.yaml → admin).
struct AdminAccess {
  /// Serve the admin listener over mutual TLS (the broker's CA, CRL and certificate): only
  /// organisations with the `operator` role are answered. Required off loopback.
  bool mtls = false;
  /// A secret (chmod 600) required as `Authorization: Bearer` on state-changing routes
  /// (POST); empty = those routes are refused.
  std::filesystem::path token_file;
  std::uint32_t max_connections = 16;
};

struct Limits {
  /// Connections still in their TLS handshake, in all and from one source address: an
  /// anonymous host cannot take more than its share of the hub's connections.
  std::uint32_t max_handshakes = 256;
  std::uint32_t max_handshakes_per_address = 32;
  /// Authenticated connections (HTTP and connector WebSockets), in all and per organisation.
  std::uint32_t max_connections = 1024;
  std::uint32_t max_connections_per_org = 256;
  /// Then a connection is closed (after its current request) and its client reconnects: no
  /// identity proved once is trusted for ever.
  std::chrono::seconds max_connection_lifetime{3600};
  std::uint32_t header_bytes = 8 * 1024;
  std::uint64_t body_bytes = 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{5'000};
  std::chrono::milliseconds idle_timeout{30'000};     ///< keep-alive connection with no request
  std::chrono::milliseconds request_timeout{30'000};  ///< reading one request, headers and body
  std::chrono::milliseconds drain_timeout{10'000};    ///< SIGTERM: time given to requests in flight
  std::chrono::milliseconds provider_timeout{5'000};  ///< waiting for a provider's record
  std::uint32_t max_in_flight_per_org = 256;          ///< exchanges a consumer may have running at once
  // Per organisation, checked before anything is audited (broker/admission/org_admission.hpp): 429.
  std::uint32_t exchange_rate_per_org = 1000;          ///< exchanges per second one consumer may start
  std::uint32_t exchange_burst_per_org = 2000;         ///< …and at once after a quiet spell
  std::uint32_t publish_rate_per_org = 200;            ///< publishes per second of one publisher
  std::uint32_t publish_burst_per_org = 400;
  std::uint32_t max_publishes_in_flight_per_org = 64;  ///< publishes of one publisher not answered yet
  std::uint32_t audit_pending_per_org = 8192;          ///< one organisation's entries waiting for the audit writer
};

/// A subscription fixed by the operator (the connector may also declare its own at connect time).
struct ConfiguredSubscription {
  std::string subscriber;
  std::string category;
  std::string purpose;
};

/// Publish/subscribe: the delivery queues (in the store) and their encryption key.
struct PubSubConfig {
  /// The active queue key: keys_dir/queue-<id>.key, 32 random bytes in base64 (chmod 600).
  /// Older queue-*.key files stay readable, so rows sealed under them still open.
  std::string queue_key = "q1";
  std::uint32_t max_attempts = 8;  ///< failed deliveries before the dead-letter queue
  std::chrono::milliseconds ack_timeout{30'000};
  std::chrono::milliseconds retry_initial{1'000};
  std::chrono::milliseconds retry_max{600'000};
  std::chrono::hours idempotency_retention{168};
  std::vector<ConfiguredSubscription> subscriptions;
};

struct BrokerConfig {
  std::filesystem::path source;  ///< the file this was loaded from
  std::string trust_domain = "pse.gouv.qc.ca";
  Endpoint listen;
  Endpoint admin;             ///< loopback only, unless admin_access.mtls
  AdminAccess admin_access;
  TlsConfig tls;
  Limits limits;
  std::filesystem::path orgs_file;            ///< organisations (orgs.yaml)
  std::filesystem::path classification_file;  ///< information architecture (classification.yaml)
  std::filesystem::path policies_file;        ///< exchange rules (policies.yaml)
  store::StoreConfig store;        ///< where consents, the audit log, queues and subscriptions live
  std::filesystem::path keys_dir;  ///< platform keys: subject-hash.key, audit-signing.key/.pub
  int consent_max_validity_days = 366;
  PubSubConfig pubsub;
  unsigned threads = 2;
  std::string log_level = "info";
};

/// Loads and validates broker.yaml; throws pse::ConfigError (file, line, reason). Checks that
/// the files it names exist, but not their contents (the TLS layer does that at start-up).
BrokerConfig load_broker_config(const std::filesystem::path& file);

}  // namespace pse::broker

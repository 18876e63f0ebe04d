// portal.yaml: where the citizen's page listens, the identity provider it signs citizens in
// with, and the broker it acts through as the consent authority.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace pse::portal {

struct OidcSettings {
  std::string issuer;        ///< https URL; the discovery document is at issuer + /.well-known/openid-configuration
  std::string client_id;
  std::filesystem::path client_secret_file;  ///< owner-only
  std::filesystem::path ca;  ///< the CA the provider's certificate must chain to (empty: the system's)
  std::string subject_claim = "sub";  ///< the ID token claim holding the PSE subject id
  std::string scope = "openid profile";
};

struct BrokerSettings {
  std::string host;
  std::uint16_t port = 8443;
  std::filesystem::path ca, certificate, key;  ///< the consent authority's certificate
};

struct PortalConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8446;
  std::size_t max_connections = 512;
  std::string public_url;  ///< https://host[:port], no trailing slash; the callback is public_url + /auth/callback
  std::filesystem::path tls_certificate, tls_key;
  OidcSettings oidc;
  BrokerSettings broker;
  /// The published policy (orgs.yaml, classification.yaml, policies.yaml), for organisations'
  /// names and the consents a citizen may give; empty: neither.
  std::filesystem::path policy_dir;
  std::filesystem::path words;        ///< config/portal/words.yaml; empty: codes as they are
  std::filesystem::path receipt_key;  ///< the platform's audit-signing.pub; empty: receipts unchecked
  /// Services Québec's store of contact preferences (SQLite); empty: no "Mes préférences" page
  /// and no contact.preferences served to the broker.
  std::filesystem::path preferences_db;
  std::chrono::minutes session_idle{15};
  std::chrono::minutes session_max{8 * 60};
  int rate_limit_posts = 30;  ///< posts per address…
  int rate_limit_seconds = 60;  ///< …per this many seconds
};

/// Reads and checks the file; throws ConfigError naming the file, the line and the key.
PortalConfig load_portal_config(const std::filesystem::path& file);

}  // namespace pse::portal

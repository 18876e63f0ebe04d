// pse/client_options.hpp — how to reach the broker (or the hub's brokers) and who you are.
//
// Both roles, pse::Client (consumer) and pse::Provider (connector), are built from the same
// ClientOptions. Your identity on the platform is the organisation named in your client
// certificate (issued by the platform CA with `pse-pki issue-org`); nothing you put in a
// request can change it.
//
//     pse::ClientOptions options;
//     options.host = "broker.pse.gouv.qc.ca";
//     options.port = 8443;
//     options.ca_file = "/etc/pse/ca.crt";              // the platform CA
//     options.certificate_file = "/etc/pse/org.crt";    // your organisation's certificate
//     options.key_file = "/etc/pse/org.key";            // and its private key
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pse {

/// One broker of a hub that runs several.
struct BrokerAddress {
  std::string host;
  std::uint16_t port = 8443;
};

struct ClientOptions {
  /// The broker's host name or IP address.
  std::string host = "localhost";
  /// The broker's mutual-TLS port.
  std::uint16_t port = 8443;
  /// Every broker of a hub that runs several (then `host` and `port` are not used). A Provider
  /// keeps a connection to each, so that whichever broker takes a request reaches it; a name
  /// that resolves to several addresses counts as one broker per address.
  std::vector<BrokerAddress> brokers;
  /// The name the broker's certificate must carry (hostname verification). Empty means `host`.
  /// Set it when you connect through an IP address or an alias the certificate does not name.
  std::string server_name;

  /// PEM file of the platform CA: the broker's certificate is verified against it.
  std::filesystem::path ca_file;
  /// PEM file of your organisation's certificate (chain), presented to the broker.
  std::filesystem::path certificate_file;
  /// PEM file of the matching private key (unencrypted).
  std::filesystem::path key_file;
  /// Client and subscriber: your organisation's encryption secret key (32 bytes X25519, one line
  /// of base64, chmod 600), whose public half the platform registered. Needed only to receive
  /// records and events under rules with `end_to_end_encryption`: they are sealed for that key.
  std::filesystem::path encryption_key_file;
  /// Provider: your organisation's signing key (a 32-byte Ed25519 seed, one line of base64,
  /// chmod 600), whose public half the platform registered. Needed to serve categories whose
  /// integrity rating requires signed records: without it such requests are answered
  /// provider_error.
  std::filesystem::path signing_key_file;
  /// Provider and publisher: your copy of the platform's registry of consumers' encryption keys
  /// (<org>.pub). When set, a record is sealed only for the key registered for its consumer: a
  /// request to seal for any other key (a broker that was taken over naming its own) is answered
  /// provider_error and nothing is sealed; a publisher seals each event for the keys found here
  /// rather than those the broker names (and for nobody it has no key of).
  std::filesystem::path encryption_keys_dir;
  /// Client: the directory of the providers' public signing keys as the platform distributes
  /// them (<org>.pub). When set, a signed answer is verified against its provider's key and its
  /// proof exposed (ExchangeResponse::proof); a signature that fails is integrity_failed.
  std::filesystem::path signing_keys_dir;

  /// Client: the longest an exchange may take, from the call to the answer, including waiting
  /// for a free connection and connecting. Keep it above the broker's provider timeout (5 s by
  /// default) so that a slow provider is reported by the broker as `provider_timeout`.
  std::chrono::milliseconds request_timeout{15000};
  /// The longest a TCP connect plus the TLS handshake may take (and, for a provider, the
  /// WebSocket upgrade and the broker's `ready`).
  std::chrono::milliseconds connect_timeout{5000};
  /// Client: how many keep-alive connections it may open to run exchanges in parallel (HTTP/1.1
  /// carries one exchange at a time per connection). Further exchanges wait for a free one.
  std::size_t max_connections = 4;
};

}  // namespace pse

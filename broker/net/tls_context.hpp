// The broker's TLS server context: TLS 1.3 (1.2 only if configured, then ECDHE with AEAD
// suites only), client certificate required and verified against the platform CA and its CRL.
#pragma once

#include "broker/config.hpp"

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace pse::broker {

/// Loads certificate, key, CA and CRL. Throws pse::ConfigError naming the file that failed.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsConfig& tls);

/// The earliest nextUpdate of the CRLs a context checks against; std::nullopt when none has one.
std::optional<std::chrono::system_clock::time_point> crl_next_update(boost::asio::ssl::context& context);

}  // namespace pse::broker

// The broker's TLS server context: TLS 1.3 (1.2 only if configured), client certificate
// required and verified against the platform CA and its CRL.
#pragma once

#include "broker/config.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace pse::broker {

/// Loads certificate, key, CA and CRL. Throws pse::ConfigError naming the file that failed.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsConfig& tls);

}  // namespace pse::broker

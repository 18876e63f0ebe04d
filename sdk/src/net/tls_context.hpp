// The client side of the platform's mutual TLS, shared by Client and Provider.
#pragma once

#include <pse/client_options.hpp>

#include <boost/asio/ssl/context.hpp>

#include <string>

namespace pse::net {

/// A TLS client context: the platform CA as the only trust anchor, our certificate and key,
/// TLS 1.2 at least. Throws std::runtime_error naming the file that cannot be used.
boost::asio::ssl::context make_tls_context(const ClientOptions& options);

/// The name the broker's certificate must carry: server_name, or else host.
std::string verified_name(const ClientOptions& options);

}  // namespace pse::net

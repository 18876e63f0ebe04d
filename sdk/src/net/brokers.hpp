// The brokers a Client or a Provider talks to, from ClientOptions.
#pragma once

#include <pse/client_options.hpp>

#include <vector>

namespace pse::net {

/// One set of options per broker: `brokers`, or host:port when that is empty. A name that
/// resolves to several addresses of one family gives one broker per address (IPv4 first, so
/// that "localhost" stays one broker), verified against the name. A name that does not
/// resolve now stays as it is: connecting resolves it again.
std::vector<ClientOptions> each_broker(const ClientOptions& options);

}  // namespace pse::net

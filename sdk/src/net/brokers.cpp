#include "net/brokers.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <set>
#include <string>

namespace pse::net {
namespace asio = boost::asio;

std::vector<ClientOptions> each_broker(const ClientOptions& options) {
  std::vector<BrokerAddress> brokers = options.brokers;
  if (brokers.empty()) brokers.push_back({options.host, options.port});
  std::vector<ClientOptions> endpoints;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  for (const BrokerAddress& broker : brokers) {
    ClientOptions one = options;
    one.host = broker.host;
    one.port = broker.port;
    one.brokers.clear();
    boost::system::error_code ec;
    const auto found = resolver.resolve(broker.host, std::to_string(broker.port), ec);
    std::set<std::string> v4, v6;
    if (!ec) {
      for (const auto& entry : found) {
        const auto address = entry.endpoint().address();
        (address.is_v4() ? v4 : v6).insert(address.to_string());
      }
    }
    const std::set<std::string>& addresses = v4.empty() ? v6 : v4;
    if (addresses.size() < 2) {  // one address, or unresolved now: connecting resolves again
      endpoints.push_back(std::move(one));
      continue;
    }
    for (const std::string& address : addresses) {
      ClientOptions each = one;
      each.host = address;
      if (each.server_name.empty()) each.server_name = broker.host;  // the certificate names the host
      endpoints.push_back(std::move(each));
    }
  }
  return endpoints;
}

}  // namespace pse::net

#include "server_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace pse::testing {

namespace {

// The first port of the kernel's ephemeral range (32768 when it cannot be read).
unsigned ephemeral_range_start() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned low = 0;
  if (!(range >> low) || low < 2048) return 32768;
  return low;
}

bool bindable(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t port_for_child_server() {
  // Above the well-known and common service ports, below the ephemeral range.
  const unsigned low = 10000, high = ephemeral_range_start() - 1;
  if (high <= low) throw std::runtime_error("port_for_child_server: the ephemeral range starts below 10000");
  static thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<unsigned> pick(low, high);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    if (bindable(port)) return port;
  }
  throw std::runtime_error("port_for_child_server: no bindable port below the ephemeral range");
}

}  // namespace pse::testing

// A TCP relay on loopback between a client and a server, that a test can cut (every relayed
// connection closed, new ones refused) and restore on the same port: a database that goes
// away and comes back, without stopping the run's shared server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace pse::adapters::testing {

class TcpRelay {
 public:
  explicit TcpRelay(int target_port) : target_port_(target_port) {
    listen_on(0);
    thread_ = std::thread([this] { run(); });
  }
  ~TcpRelay() {
    stopping_ = true;
    thread_.join();
    close_all();
  }
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const { return port_; }

  /// Closes every relayed connection and the listener: connecting is refused.
  void cut() {
    std::lock_guard lock(mutex_);
    close_all();
  }
  /// Listens again, on the same port.
  void restore() {
    std::lock_guard lock(mutex_);
    listen_on(port_);
  }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  void listen_on(int port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = loopback(port);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 16) != 0) {
      throw std::runtime_error("relay cannot listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }

  void close_all() {
    if (listener_ >= 0) ::close(listener_);
    listener_ = -1;
    for (auto& [a, b] : pairs_) {
      ::close(a);
      ::close(b);
    }
    pairs_.clear();
  }

  void run() {
    while (!stopping_) {
      std::vector<pollfd> watched;
      {
        std::lock_guard lock(mutex_);
        if (listener_ >= 0) watched.push_back({listener_, POLLIN, 0});
        for (auto& [a, b] : pairs_) {
          watched.push_back({a, POLLIN, 0});
          watched.push_back({b, POLLIN, 0});
        }
      }
      if (::poll(watched.data(), watched.size(), 20) <= 0) continue;
      std::lock_guard lock(mutex_);
      for (const auto& entry : watched) {
        if ((entry.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        if (entry.fd == listener_) {
          accept_one();
        } else {
          forward_from(entry.fd);
        }
      }
    }
  }

  void accept_one() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(target_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(client);
      ::close(server);
      return;
    }
    pairs_.emplace_back(client, server);
  }

  // The pair may already be gone (cut, or closed by its other side in this round).
  void forward_from(int fd) {
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      auto [a, b] = pairs_[i];
      if (fd != a && fd != b) continue;
      char buffer[16384];
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      const int to = fd == a ? b : a;
      if (got <= 0 || ::write(to, buffer, static_cast<std::size_t>(got)) != got) {
        ::close(a);
        ::close(b);
        pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(i));
      }
      return;
    }
  }

  int target_port_;
  int port_ = 0;
  int listener_ = -1;
  std::vector<std::pair<int, int>> pairs_;
  std::mutex mutex_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace pse::adapters::testing

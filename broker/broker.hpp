// The broker daemon as an object: what `pse-broker` runs, and what integration tests start on
// an ephemeral port. No Asio in this header.
#pragma once

#include "broker/config.hpp"
#include "broker/metrics.hpp"

#include <cstdint>
#include <memory>

namespace pse::broker {

class Broker {
 public:
  /// Loads the organisations and the TLS material. Throws pse::ConfigError on bad files.
  explicit Broker(BrokerConfig config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  /// Binds both listeners and starts the worker threads. Throws std::runtime_error when a
  /// listener cannot bind. With `handle_signals`, SIGTERM/SIGINT drain and SIGHUP reloads.
  void start(bool handle_signals = false);

  std::uint16_t port() const;        ///< the mTLS listener's actual port
  std::uint16_t admin_port() const;  ///< the admin listener's actual port

  /// Graceful stop, from any thread: refuse new connections, let requests in flight finish
  /// (up to limits.drain_timeout), close idle connections, then stop.
  void request_drain();

  /// Blocks until the broker has stopped.
  void wait();

  /// Re-reads the TLS certificate, key, CA, CRL and orgs.yaml. New connections use them;
  /// on error the old ones stay and the error is logged. Returns whether it succeeded.
  bool reload();

  const Metrics& metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pse::broker

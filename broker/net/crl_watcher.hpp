// Keeps the broker's CRL current without a SIGHUP, and says so before it runs out.
//
// The broker fails closed on an expired CRL: every client certificate is then refused, for
// every organisation at once. So the CRL file is watched — any change to it runs the broker's
// reload — the time left until the CRL's nextUpdate is a metric, and the log warns from 48 h
// before it (at most once an hour, never per handshake).
//
// The file is polled (stat: device, inode, size, modification time) rather than watched with
// inotify. pse-pki, like most tools and Kubernetes' mounted secrets, replaces the file by
// renaming another over it or by swapping a symbolic link; an inotify watch on the file misses
// both, one on its directory needs the links followed by hand, and neither sees a change made
// on NFS. One stat() every few seconds on the io_context sees all of them, needs no thread and
// no descriptor, and costs nothing measurable.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace pse::broker {

class CrlWatcher {
 public:
  /// The broker's reload (TLS material and organisations); false when it kept the old ones.
  using Reload = std::function<bool()>;
  /// The earliest nextUpdate of the CRL in force (std::nullopt: none).
  using NextUpdate = std::function<std::optional<std::chrono::system_clock::time_point>()>;

  static constexpr std::chrono::hours kWarnBefore{48};
  static constexpr std::chrono::hours kWarnEvery{1};

  /// Construct it before the broker loads the CRL: the file's version is taken here.
  CrlWatcher(boost::asio::io_context& io, std::filesystem::path file, std::chrono::milliseconds interval,
             Reload reload, NextUpdate next_update);

  /// Looks at the expiry at once, then at the file and the expiry every interval.
  void start();
  void stop();  ///< safe from any thread

  /// pse_crl_* lines for /metrics; safe from any thread.
  std::string prometheus() const;

 private:
  struct FileVersion {
    bool exists = false;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t modified_ns = 0;
    bool operator==(const FileVersion&) const = default;
  };

  FileVersion look() const;
  void schedule();
  void tick();
  void warn_if_expiring();

  std::filesystem::path file_;
  std::chrono::milliseconds interval_;
  Reload reload_;
  NextUpdate next_update_;
  boost::asio::steady_timer timer_;  // on a strand of its own: stop() may come from any thread
  FileVersion version_;
  std::optional<std::chrono::steady_clock::time_point> last_warning_;
  std::atomic<std::uint64_t> reloads_applied_{0};
  std::atomic<std::uint64_t> reloads_failed_{0};
};

}  // namespace pse::broker

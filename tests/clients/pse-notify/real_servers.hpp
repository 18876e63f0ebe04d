// Real servers from Debian packages, started on loopback for pse-notify's tests: aiosmtpd
// (smtp_server.py) and Kannel (bearerbox + smsbox, with fakesmsc as the operator's SMS
// centre). Each waits until it serves, with a deadline, and stops its processes by pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pse::notify::testing {

/// A child process; SIGTERM (then SIGKILL) when stopped or destroyed.
class ChildProcess {
 public:
  ChildProcess() = default;
  /// Starts `argv`, stdout and stderr to `log`; with `keep_stdin`, stdin is a pipe kept open.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log, bool keep_stdin = false);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  void stop();
  bool running() const { return pid_ > 0; }
  /// True once the process has ended (it is reaped then).
  bool exited();

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
};

/// Polls `condition` every 20 ms until true or `limit` elapses.
template <typename Condition>
bool wait_for(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10));

class SmtpTestServer {
 public:
  SmtpTestServer(std::filesystem::path dir, std::filesystem::path cert, std::filesystem::path key);
  /// Starts on `port` (0: any free port); throws when it does not come up within 10 s.
  /// `login_only`: the server offers AUTH LOGIN and not PLAIN.
  void start(std::uint16_t port = 0, bool login_only = false);
  void stop();
  std::uint16_t port() const { return port_; }
  /// The stored messages, oldest first (each with X-Envelope-*, X-TLS, X-Authenticated).
  std::vector<std::string> messages() const;

 private:
  std::filesystem::path dir_, cert_, key_;
  std::uint16_t port_ = 0;
  int starts_ = 0;
  ChildProcess process_;
};

struct ReceivedSms {
  std::string from, to, type, text;  ///< type "text" (UTF-8) or "ucs-2" (URL-encoded UTF-16BE)
};

class KannelTestServer {
 public:
  explicit KannelTestServer(std::filesystem::path dir);
  /// bearerbox, smsbox and fakesmsc; throws when sendsms does not answer (two tries of 8 s).
  void start();
  void stop();
  std::uint16_t sendsms_port() const { return sendsms_port_; }
  std::string username() const { return "pse-notify"; }
  std::string password() const { return "kannel-s3cret"; }
  /// What the SMS centre received, oldest first.
  std::vector<ReceivedSms> received() const;

 private:
  void start_once();
  std::filesystem::path dir_;
  std::uint16_t sendsms_port_ = 0;
  ChildProcess bearerbox_, smsbox_, fakesmsc_;
};

template <typename Condition>
bool wait_for(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    struct timespec pause{0, 20'000'000};
    nanosleep(&pause, nullptr);
  }
  return true;
}

}  // namespace pse::notify::testing

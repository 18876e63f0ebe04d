// An SMTP submission client (RFC 5321, 3207, 4954) over Boost.Asio and OpenSSL: EHLO,
// STARTTLS (mandatory — a message never leaves in clear), AUTH PLAIN or LOGIN, then
// MAIL/RCPT/DATA with dot-stuffing. The server's certificate is verified against the
// configured CA and its name; every step has a timeout. The session stays open between
// messages and is opened again when the server has closed it.
//
// Outcomes: a 4xx reply, a timeout or a lost connection is a temporary failure; a 5xx reply
// to MAIL, RCPT or DATA is permanent. Reasons carry the step and the reply code only — the
// server's text may quote the address.
#pragma once

#include "notify_config.hpp"
#include "ports.hpp"

#include <memory>
#include <mutex>

namespace pse::notify {

class SmtpClient final : public EmailChannel {
 public:
  /// Throws std::runtime_error when the CA file cannot be used.
  explicit SmtpClient(SmtpSettings settings);
  ~SmtpClient() override;
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  SendOutcome send(const OutgoingEmail& email) override;

  /// Messages larger than this are refused (permanent failure) before any connection.
  static constexpr std::size_t kMaxMessageBytes = 1 << 20;

 private:
  struct Impl;
  std::mutex mutex_;
  std::unique_ptr<Impl> impl_;
};

/// The DATA payload: every line starting with '.' gets another; bare LF become CRLF; the
/// terminating "\r\n.\r\n" is appended.
std::string dot_stuff(const std::string& message);

}  // namespace pse::notify

// A blocking HTTPS client with an optional client certificate, for integration tests against
// a real broker. Every operation is bounded (5 s, or the wait given), so a test cannot hang.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pse::testing {

struct ClientIdentity {
  std::filesystem::path cert;
  std::filesystem::path key;
};

struct HttpResult {
  bool answered = false;  ///< an HTTP response was read
  int status = 0;
  std::string body;
  std::string retry_after;  ///< the Retry-After header; empty when absent
  std::string error;      ///< transport/TLS error text when not answered
};

class TlsClient {
 public:
  TlsClient(std::uint16_t port, std::filesystem::path ca_file, std::optional<ClientIdentity> identity,
            bool tls12_only = false);
  ~TlsClient();

  /// Offers only these TLS 1.2 suites (OpenSSL cipher-list syntax); call before connect().
  void offer_tls12_ciphers(const std::string& openssl_list);
  /// Offers only these TLS 1.3 suites (e.g. "TLS_AES_128_GCM_SHA256"); call before connect().
  void offer_tls13_suites(const std::string& openssl_list);
  /// TCP connect and TLS handshake. False (with error()) when either fails.
  bool connect();
  /// One request on the open connection (keep-alive).
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                     std::size_t extra_header_bytes = 0);
  /// Writes raw bytes after the handshake and returns everything read until the server closes.
  std::string raw(const std::string& bytes);
  /// True when the server has closed the connection (reads EOF or an error within `wait_ms`).
  bool closed_by_server(int wait_ms);

  /// The TLS session of the open connection, to resume later (TLS 1.3 sends its ticket after
  /// the handshake: take it after a request has been answered). nullptr when none.
  std::shared_ptr<SSL_SESSION> session() const;
  /// The next connect() offers `session` for resumption.
  void resume_with(std::shared_ptr<SSL_SESSION> session);
  /// True when the last handshake resumed the offered session.
  bool resumed() const;

  const std::string& error() const { return error_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

/// Convenience: connect, one request, close.
HttpResult https_request(std::uint16_t port, const std::filesystem::path& ca_file,
                         std::optional<ClientIdentity> identity, const std::string& method,
                         const std::string& target, const std::string& body = {});

/// Opens a TCP connection, sends nothing, and returns how long the server took to close it
/// (-1 when it was still open after `wait_ms`).
int silent_tcp_connection_lifetime_ms(std::uint16_t port, int wait_ms);

/// TCP connections that never start a TLS handshake, from a chosen loopback source address
/// (127.0.0.0/8 is all local: a test can play a second host), as a flood would open them.
class IdleConnections {
 public:
  IdleConnections(std::uint16_t port, const std::string& source_address, int count);
  ~IdleConnections();
  /// How many of them the server has not closed (checked within `wait_ms` in all).
  int still_open(int wait_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A plain HTTP request on loopback (admin listener), with an empty body.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target);
/// The same with extra headers; a "Host" among them replaces the default (127.0.0.1).
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers);
inline HttpResult http_get(std::uint16_t port, const std::string& target) { return http_request(port, "GET", target); }

}  // namespace pse::testing

// The citizen-facing HTTPS listener (Boost.Beast over OpenSSL): TLS 1.2+ with the server's
// certificate, no client certificate (citizens have none). Each connection has a handshake
// timeout, a header and a body limit and a 30 s timeout per request and per response; a body
// over the limit is answered 413, a malformed request 400, then the connection is closed. The
// request itself is handled by a plain function (a web application's handle) on the server's
// threads. Shared by pse-feedback and pse-portal.
//
// At most `max_connections` are open at once, handshakes included: one more is closed as soon
// as it is accepted, before any TLS work, counted, and logged (one line per 10 s at most, so a
// flood cannot fill the log). The cap keeps the server below its file descriptor limit; should
// accept fail anyway (EMFILE…), it is retried after 100 ms rather than at once in a loop.
#pragma once

#include "web_types.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace pse::web {

struct HttpsServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: an ephemeral port
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::size_t header_limit = 8192;
  std::size_t body_limit = 16384;
  std::chrono::milliseconds timeout{30000};
  int threads = 2;
  std::size_t max_connections = 512;
  bool stop_on_signals = true;  ///< SIGINT and SIGTERM stop run()
  std::string server_name = "pse";  ///< the Server header
  Headers headers;  ///< on every response, errors included (the security headers)
  /// The page for a request refused before the handler (400, 413, 431) or a handler that threw
  /// (500); plain text when unset.
  std::function<WebResponse(int status)> error_page;
};

class HttpsServer {
 public:
  using Handler = std::function<WebResponse(const WebRequest&)>;
  /// Binds the listener. Throws std::runtime_error naming the file or address that failed.
  HttpsServer(HttpsServerOptions options, Handler handler);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  std::uint16_t port() const noexcept;
  /// Serves until stop() or a signal; connections in progress are abandoned at the end.
  void run();
  /// Thread-safe.
  void stop();
  /// Connections closed at once because max_connections were open. Thread-safe.
  std::uint64_t refused_connections() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pse::web

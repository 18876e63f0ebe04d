// A small HTTP/1.1 listener on loopback (Beast): Prometheus scrapes GET /metrics, Kannel's
// smsbox calls GET /kannel/dlr with delivery reports. One request per connection, 5 s to send
// it, 8 KiB at most; nothing else is served.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace pse::notify {

struct HttpAnswer {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Called with the method and the request target (path and query), on the endpoint's thread.
using HttpHandler = std::function<HttpAnswer(const std::string& method, const std::string& target)>;

class HttpEndpoint {
 public:
  /// Binds at once (port 0: any free port); throws std::runtime_error when it cannot.
  HttpEndpoint(const std::string& address, std::uint16_t port, HttpHandler handler);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The value of `name` in the query of `target` ("" when absent), percent-decoded.
std::string query_parameter(const std::string& target, const std::string& name);

/// Whether `given` is `secret`, compared in a time that depends on the lengths only
/// (CRYPTO_memcmp): how long a wrong guess takes says nothing of how many of its first
/// characters were right. The length is not a secret; an empty secret matches nothing.
bool secret_matches(std::string_view given, std::string_view secret);

}  // namespace pse::notify

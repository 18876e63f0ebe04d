// What the broker's request handlers see: plain structs, no Beast or Asio, so the handlers
// (and their tests) compile without the networking headers.
#pragma once

#include <pse/reason.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace pse::policy {
struct Organisation;
}

namespace pse::broker {

struct HttpRequest {
  std::string method;  ///< "GET", "POST"…
  std::string target;  ///< path and query, e.g. "/v1/whoami"
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// Sent as `Retry-After: <seconds>` when non-zero (429 rate_limited: when to try again).
  std::uint32_t retry_after_seconds = 0;
};

/// The error body every endpoint uses: {"error":{"code":"...","message":"..."}}.
HttpResponse error_response(Reason reason, std::string_view message = {});

/// Handlers answer exactly once, possibly later and from another thread.
using Respond = std::function<void(HttpResponse)>;

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /// `caller` is the organisation proven by the client certificate (never from the request).
  virtual void handle(const policy::Organisation& caller, HttpRequest request, Respond respond) = 0;
};

}  // namespace pse::broker

// The operator's dead-letter endpoints, on the admin listener (like /metrics; the POST routes
// need the admin token, see broker/admin/admin_gate.hpp):
//
//   GET  /admin/dead-letters?subscriber=ramq&limit=100   list (metadata only, never payloads)
//   POST /admin/dead-letters/{id}/replay                 one delivery back to its queue
//   POST /admin/dead-letters/replay?subscriber=ramq      all of a subscriber's
//
// A replayed delivery is ready at once with its attempts reset; it is durable before the answer.
#pragma once

#include "broker/http_types.hpp"

#include <optional>
#include <string_view>
#include <utility>

namespace pse::queue {
class DeliveryQueue;
}

namespace pse::broker {

/// Method and path of each endpoint above (checked against docs/api/openapi.yaml by a test).
inline constexpr std::pair<std::string_view, std::string_view> kDeadLetterRoutes[] = {
    {"GET", "/admin/dead-letters"},
    {"POST", "/admin/dead-letters/{id}/replay"},
    {"POST", "/admin/dead-letters/replay"},
};

class DeadLetterRoutes {
 public:
  explicit DeadLetterRoutes(queue::DeliveryQueue& queue) : queue_(queue) {}

  /// std::nullopt when the path is not one of these endpoints.
  std::optional<HttpResponse> handle(const HttpRequest& request);

 private:
  queue::DeliveryQueue& queue_;
};

}  // namespace pse::broker

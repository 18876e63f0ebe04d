// The broker's public HTTP API (/v1/...). Each route is a small function; this file is where a
// reader finds every endpoint the broker serves over mutual TLS.
#pragma once

#include "broker/http_types.hpp"

namespace pse::broker {

class ApiRouter final : public RequestHandler {
 public:
  void handle(const policy::Organisation& caller, HttpRequest request, Respond respond) override;
};

}  // namespace pse::broker

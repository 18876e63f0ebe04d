// The broker's public HTTP API (/v1/...): this file is where a reader finds every endpoint the
// broker serves over mutual TLS, and which thread runs it.
#pragma once

#include "broker/http_types.hpp"

#include <span>
#include <string_view>

namespace pse {
class WorkerThread;
}

namespace pse::broker {

class ConsentRoutes;
class ExchangePipeline;
class PublishPipeline;

/// One route of the API, with path parameters written {like_this} as in OpenAPI.
struct RouteSpec {
  std::string_view method;
  std::string_view path;
};

/// Every route the mTLS listener serves. A test checks it against docs/api/openapi.yaml and
/// against a running broker, so the document, this list and the dispatch cannot drift apart.
std::span<const RouteSpec> api_routes();

class ApiRouter final : public RequestHandler {
 public:
  /// `consents` run on `store_worker`, since they read and write SQLite; exchanges run on the
  /// I/O thread until they wait (for the provider, then for the audit log).
  ApiRouter(ExchangePipeline& exchanges, PublishPipeline& publishes, ConsentRoutes& consents, WorkerThread& store_worker);

  void handle(const policy::Organisation& caller, HttpRequest request, Respond respond) override;

 private:
  ExchangePipeline& exchanges_;
  PublishPipeline& publishes_;
  ConsentRoutes& consents_;
  WorkerThread& store_worker_;
};

}  // namespace pse::broker

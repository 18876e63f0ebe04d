// The broker's public HTTP API (/v1/...): this file is where a reader finds every endpoint the
// broker serves over mutual TLS, and which thread runs it.
#pragma once

#include "broker/http_types.hpp"

namespace pse {
class WorkerThread;
}

namespace pse::broker {

class ConsentRoutes;

class ApiRouter final : public RequestHandler {
 public:
  /// `consents` run on `store_worker`, since they read and write SQLite.
  ApiRouter(ConsentRoutes& consents, WorkerThread& store_worker);

  void handle(const policy::Organisation& caller, HttpRequest request, Respond respond) override;

 private:
  ConsentRoutes& consents_;
  WorkerThread& store_worker_;
};

}  // namespace pse::broker

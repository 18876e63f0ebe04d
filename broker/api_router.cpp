#include "broker/api_router.hpp"

#include "base/worker_thread.hpp"
#include "broker/consent_routes.hpp"
#include "broker/exchange/exchange_pipeline.hpp"
#include "broker/http_target.hpp"
#include "broker/pubsub/publish_pipeline.hpp"
#include "policy/organisations.hpp"

#include <boost/json.hpp>

#include <memory>

namespace pse::broker {
namespace {

HttpResponse whoami(const policy::Organisation& caller) {
  boost::json::array roles;
  for (policy::Role role : caller.roles) roles.emplace_back(policy::to_string(role));
  boost::json::object body{
      {"org", caller.id},
      {"name", caller.name_fr},
      {"name_en", caller.name_en},
      {"roles", std::move(roles)},
      {"clearance", caller.clearance},
  };
  return HttpResponse{200, "application/json", boost::json::serialize(body)};
}

constexpr RouteSpec kRoutes[] = {
    {"GET", "/v1/whoami"},
    {"POST", "/v1/exchange"},
    {"GET", "/v1/connect"},
    {"POST", "/v1/publish"},
    {"GET", "/v1/publish/sealing/{category}"},
    {"POST", "/v1/consents"},
    {"GET", "/v1/consents"},
    {"GET", "/v1/consents/{id}"},
    {"POST", "/v1/consents/{id}/amend"},
    {"POST", "/v1/consents/{id}/revoke"},
    {"POST", "/v1/mandates"},
    {"POST", "/v1/mandates/{id}/revoke"},
    {"GET", "/v1/subjects/{subject}/consents"},
    {"GET", "/v1/subjects/{subject}/mandates"},
    {"GET", "/v1/subjects/{subject}/accesses"},
    {"GET", "/v1/subjects/{subject}/accesses/{audit_seq}/proof"},
};

}  // namespace

std::span<const RouteSpec> api_routes() { return kRoutes; }

ApiRouter::ApiRouter(ExchangePipeline& exchanges, PublishPipeline& publishes, ConsentRoutes& consents,
                     WorkerThread& store_worker)
    : exchanges_(exchanges), publishes_(publishes), consents_(consents), store_worker_(store_worker) {}

void ApiRouter::handle(const policy::Organisation& caller, HttpRequest request, Respond respond) {
  auto target = parse_target(request.target);
  if (!target) return respond(error_response(Reason::malformed_request, "malformed request target"));

  if (target->matches({"v1", "whoami"})) {
    if (request.method != "GET") return respond(error_response(Reason::method_not_allowed));
    return respond(whoami(caller));
  }

  if (target->matches({"v1", "exchange"})) {
    if (request.method != "POST") return respond(error_response(Reason::method_not_allowed));
    return exchanges_.run(caller, request.body, std::move(respond));
  }

  if (target->matches({"v1", "publish"})) {
    if (request.method != "POST") return respond(error_response(Reason::method_not_allowed));
    return publishes_.run(caller, request.body, std::move(respond));
  }

  if (target->matches({"v1", "publish", "sealing", "*"})) {
    if (request.method != "GET") return respond(error_response(Reason::method_not_allowed));
    return publishes_.sealing(caller, target->segments[3], std::move(respond));
  }

  if (target->matches({"v1", "connect"})) {
    return respond(error_response(Reason::malformed_request, "GET /v1/connect must be a WebSocket upgrade"));
  }

  if (ConsentRoutes::serves(*target)) {
    // `caller` stays valid while `respond` lives: it holds the session and its snapshot.
    auto job = std::make_shared<std::tuple<HttpRequest, Target, Respond>>(std::move(request), std::move(*target),
                                                                          std::move(respond));
    const bool queued = store_worker_.post([this, &caller, job] {
      auto& [req, tgt, reply] = *job;
      consents_.handle(caller, req, tgt, std::move(reply));
    });
    if (!queued) std::get<2>(*job)(error_response(Reason::overloaded, "the consent registry is busy; retry later"));
    return;
  }

  respond(error_response(Reason::not_found, "no such endpoint: " + request.target.substr(0, request.target.find('?'))));
}

}  // namespace pse::broker

// docs/api/openapi.yaml, the broker's route list and the running broker agree.
#include "broker/admin/admin_routes.hpp"
#include "broker/api_router.hpp"
#include "broker/pubsub/dead_letter_routes.hpp"
#include "broker_fixture.hpp"

#include <gmock/gmock.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace pse::testing {
namespace {

using Route = std::pair<std::string, std::string>;  // method, path

// The documented routes of the mTLS API (`api`), or of the admin listener.
std::set<Route> documented_routes(bool api) {
  const YAML::Node document = YAML::LoadFile(PSE_SOURCE_DIR "/docs/api/openapi.yaml");
  std::set<Route> routes;
  for (const auto& path : document["paths"]) {
    const std::string name = path.first.as<std::string>();
    if (name.starts_with("/v1/") != api) continue;
    for (const auto& operation : path.second) {
      std::string method = operation.first.as<std::string>();
      if (method == "servers" || method == "parameters") continue;
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.emplace(method, name);
    }
  }
  return routes;
}

// A concrete target for a templated path: each {parameter} becomes a plausible value.
std::string concrete(std::string path) {
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, "x");
  }
  return path;
}

class OpenApi : public BrokerTest {};

TEST_F(OpenApi, DocumentListsExactlyTheBrokerRoutes) {
  std::set<Route> implemented;
  for (const auto& route : broker::api_routes()) implemented.emplace(route.method, route.path);
  EXPECT_EQ(documented_routes(true), implemented);

  std::set<Route> admin;
  for (auto path : broker::kAdminPaths) admin.emplace("GET", path);
  for (auto [method, path] : broker::kDeadLetterRoutes) admin.emplace(method, path);
  EXPECT_EQ(documented_routes(false), admin);
}

TEST_F(OpenApi, EveryListedRouteIsServed) {
  start_broker();
  for (const auto& route : broker::api_routes()) {
    if (route.path == "/v1/connect") continue;  // a WebSocket upgrade, tested in exchange_test
    HttpResult result = https_request(broker_->port(), pki_->ca(), services_quebec_, std::string(route.method),
                                      concrete(std::string(route.path)), "{}");
    ASSERT_TRUE(result.answered) << route.path;
    // Reaching the handler gives a real answer or a validation error, never the router's
    // "no such endpoint" nor "method not allowed".
    EXPECT_EQ(result.body.find("no such endpoint"), std::string::npos) << route.method << " " << route.path;
    EXPECT_NE(result.status, 405) << route.method << " " << route.path;
  }
  for (auto path : broker::kAdminPaths) {
    EXPECT_EQ(http_get(broker_->admin_port(), std::string(path)).status, 200) << path;
  }
}

}  // namespace
}  // namespace pse::testing

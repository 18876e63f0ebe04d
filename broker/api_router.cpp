#include "broker/api_router.hpp"

#include "policy/organisations.hpp"

#include <boost/json.hpp>

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

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace

void ApiRouter::handle(const policy::Organisation& caller, HttpRequest request, Respond respond) {
  const std::string_view path = path_of(request.target);
  if (path == "/v1/whoami") {
    if (request.method != "GET") return respond(error_response(Reason::method_not_allowed));
    return respond(whoami(caller));
  }
  respond(error_response(Reason::not_found, "no such endpoint: " + std::string(path)));
}

}  // namespace pse::broker

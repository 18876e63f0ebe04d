#include "broker/http_types.hpp"

#include "base/log.hpp"

namespace pse::broker {

HttpResponse error_response(Reason reason, std::string_view message) {
  HttpResponse response;
  response.status = http_status(reason);
  std::string body = "{\"error\":{\"code\":";
  log::append_json_string(body, to_string(reason));
  body += ",\"message\":";
  log::append_json_string(body, message.empty() ? describe(reason) : message);
  body += "}}";
  response.body = std::move(body);
  return response;
}

}  // namespace pse::broker

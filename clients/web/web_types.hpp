// A citizen-facing page's request and response, independent of the network: the HTTPS server
// (https_server.hpp) only translates Beast messages to and from these, so every rule of a web
// application is tested without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pse::web {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct WebRequest {
  std::string method;  ///< "GET", "POST"…
  std::string target;  ///< path and query
  std::string cookie;  ///< the Cookie header
  std::string content_type;
  std::string body;
  std::string remote_address;
  std::string accept_language;
};

struct WebResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  Headers headers;  ///< besides the server's own (HttpsServerOptions::headers)
};

}  // namespace pse::web

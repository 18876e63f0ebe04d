// One HTTPS request from a web application to a server it trusts by a CA file (an OpenID
// provider's discovery document, its keys, its token endpoint): TLS 1.2+, the certificate
// checked against `ca_file` and the URL's host name, one deadline for the whole exchange, a
// bounded answer. Blocking; each call makes its own connection.
#pragma once

#include "web_types.hpp"

#include <pse/expected.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace pse::web {

struct HttpsCall {
  std::string method = "GET";
  std::string url;  ///< https://host[:port]/path?query
  Headers headers;
  std::string body;
};

struct HttpsAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct HttpsClientOptions {
  std::filesystem::path ca_file;  ///< empty: the system's trust store
  std::chrono::milliseconds timeout{10000};
  std::size_t body_limit = 1024 * 1024;
};

/// The answer, whatever its status; an error text (naming the host, never the body) when the
/// URL is not https, the connection, the TLS check or the deadline fails.
Expected<HttpsAnswer, std::string> https_request(const HttpsCall& call, const HttpsClientOptions& options);

}  // namespace pse::web

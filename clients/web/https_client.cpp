#include "https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <optional>

namespace pse::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Url {
  std::string host;
  std::string port = "443";
  std::string target = "/";
};

std::optional<Url> parse_https_url(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  const std::string rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url parsed;
  if (slash != std::string::npos) parsed.target = rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    parsed.port = authority.substr(colon + 1);
    authority.resize(colon);
    if (parsed.port.empty() || parsed.port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  }
  parsed.host = authority;
  for (const char c : parsed.target) {
    if (c <= ' ' || c >= 127) return std::nullopt;
  }
  return parsed;
}

}  // namespace

Expected<HttpsAnswer, std::string> https_request(const HttpsCall& call, const HttpsClientOptions& options) {
  const auto url = parse_https_url(call.url);
  if (!url) return std::string("not an https URL");
  const std::string where = url->host + ":" + url->port;

  ssl::context tls(ssl::context::tls_client);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  if (options.ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(options.ca_file.string(), ec);
  }
  if (ec) return "cannot read the CA file " + options.ca_file.string();
  tls.set_verify_mode(ssl::verify_peer);

  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  // The server's name: for SNI, and the certificate must carry it (or the IP address).
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) return "bad host name " + url->host;
  stream.set_verify_callback(ssl::host_name_verification(url->host));

  http::request<http::string_body> request{call.method == "POST" ? http::verb::post : http::verb::get, url->target, 11};
  request.set(http::field::host, url->port == "443" ? url->host : url->host + ":" + url->port);
  request.set(http::field::user_agent, "pse-web");
  for (const auto& [name, value] : call.headers) request.set(name, value);
  if (call.method == "POST") request.body() = call.body;
  request.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.body_limit);
  std::string failure;
  tcp::resolver resolver(io);
  beast::get_lowest_layer(stream).expires_after(options.timeout);
  resolver.async_resolve(url->host, url->port, [&](beast::error_code resolve_ec, tcp::resolver::results_type found) {
    if (resolve_ec) return void(failure = "cannot resolve " + where + ": " + resolve_ec.message());
    beast::get_lowest_layer(stream).async_connect(found, [&](beast::error_code connect_ec, const tcp::endpoint&) {
      if (connect_ec) return void(failure = "cannot connect to " + where + ": " + connect_ec.message());
      stream.async_handshake(ssl::stream_base::client, [&](beast::error_code handshake_ec) {
        if (handshake_ec) return void(failure = "TLS with " + where + " failed: " + handshake_ec.message());
        http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
          if (write_ec) return void(failure = "cannot send to " + where + ": " + write_ec.message());
          http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
            if (read_ec) failure = "no answer from " + where + ": " + read_ec.message();
          });
        });
      });
    });
  });
  io.run();
  if (!failure.empty()) return failure;
  auto& response = parser.get();
  return HttpsAnswer{static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
                     std::move(response.body())};
}

}  // namespace pse::web

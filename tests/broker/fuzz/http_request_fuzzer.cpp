// libFuzzer: the bytes a client sends on a broker connection, read as the broker reads them
// (net/http_connection.hpp): Beast's request parser with a header and a body limit, one request
// after another on the same bytes while the client keeps the connection alive, the WebSocket
// upgrade check, then the target split into segments and query (http_target.hpp) and matched
// against the routes. The bytes arrive in two pieces, as TCP may cut them, at a place that
// depends on the bytes (a hash), so every input is also a plain HTTP request. Limits: 1 KiB of
// header (the least broker.yaml allows) and 2 KiB of body, so that both refusals are within
// libFuzzer's default input length of 4 KiB.
#include "broker/http_target.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace {

namespace http = boost::beast::http;

constexpr std::uint32_t kHeaderLimit = 1024;
constexpr std::uint64_t kBodyLimit = 2048;
constexpr int kMaxRequestsPerConnection = 8;

void route(const pse::broker::Target& target) {
  for (const auto& segment : target.segments) {
    if (segment.find('/') != std::string::npos) __builtin_trap();  // a decoded %2F must never split a path
  }
  // The shapes the API router and the consent routes match on.
  (void)target.matches({"v1", "exchange"});
  (void)target.matches({"v1", "consents", "*", "revoke"});
  (void)target.matches({"v1", "subjects", "*", "accesses"});
  (void)target.query.find("subject");
}

// Reads one request from `bytes`, of which the first `arrived` have arrived so far. Returns
// the bytes it used, or 0 when the connection ends (an error, or no request).
std::size_t read_request(std::string_view bytes, std::size_t arrived) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  boost::beast::error_code ec;
  std::size_t used = 0;
  for (int round = 0; round < 64 && !parser.is_done(); ++round) {
    used += parser.put(boost::asio::buffer(bytes.data() + used, arrived - used), ec);
    if (ec == http::error::need_more) {
      ec = {};
      if (arrived == bytes.size()) {
        parser.put_eof(ec);  // the client closed the connection
        if (ec || !parser.is_done()) return 0;
      }
      arrived = bytes.size();
    } else if (ec) {
      return 0;  // the broker answers malformed_request, headers_too_large or payload_too_large
    }
  }
  if (!parser.is_done()) return 0;
  http::request<http::string_body> message = parser.release();
  if (message.body().size() > kBodyLimit) __builtin_trap();
  const std::string_view target = message.target();
  if (boost::beast::websocket::is_upgrade(message)) {
    (void)(target.substr(0, target.find('?')) == "/v1/connect" && message.method() == http::verb::get);
  } else if (auto parsed = pse::broker::parse_target(target)) {
    route(*parsed);
  }
  (void)message.method_string();
  return message.keep_alive() ? used : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint32_t hash = 2166136261U;  // FNV-1a
  for (const std::uint8_t byte : std::span(data, size)) hash = (hash ^ byte) * 16777619U;
  const std::size_t cut = size == 0 ? 0 : hash % (size + 1);
  std::size_t offset = 0;
  for (int i = 0; i < kMaxRequestsPerConnection && offset < bytes.size(); ++i) {
    const std::size_t arrived = offset < cut ? cut - offset : bytes.size() - offset;
    const std::size_t used = read_request(bytes.substr(offset), arrived);
    if (used == 0) break;
    offset += used;
  }
  return 0;
}

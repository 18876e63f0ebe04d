#include "oidc/token_response.hpp"

#include "oidc/jws.hpp"
#include "oidc/json_input.hpp"

#include <algorithm>
#include <cctype>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxErrorCode = 64;

// The OAuth error codes are lower-case words joined by '_': anything else is not repeated.
bool readable_error_code(std::string_view code) {
  return !code.empty() && code.size() <= kMaxErrorCode && std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// An optional string member: true when absent (out untouched) or a string (copied).
bool optional_string(const json::object& object, std::string_view name, std::string& out) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr) return true;
  if (!value->is_string()) return false;
  out = std::string(value->get_string());
  return true;
}

bool is_bearer(std::string_view type) {
  constexpr std::string_view kBearer = "bearer";
  return type.size() == kBearer.size() && std::equal(type.begin(), type.end(), kBearer.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

Expected<TokenResponse, std::string> parse_token_response(std::string_view text) {
  if (text.size() > kMaxTokenResponseBytes) return std::string("the token endpoint's answer is larger than 64 KiB");
  const auto answer = parse_json_object(text, kMaxTokenResponseBytes);
  if (!answer) return std::string("the token endpoint's answer is not a JSON object");

  if (const json::value* error = answer->if_contains("error")) {
    if (error->is_string() && readable_error_code(std::string_view(error->get_string().data(), error->get_string().size()))) {
      return "the token endpoint refused the request: " + std::string(error->get_string());
    }
    return std::string("the token endpoint refused the request (unreadable error code)");
  }

  TokenResponse response;
  const json::string* id_token = string_member(*answer, "id_token");
  if (id_token == nullptr || id_token->empty()) return std::string("the token endpoint's answer has no id_token");
  if (id_token->size() > kMaxJwsBytes) return std::string("the token endpoint's id_token is longer than 16 KiB");
  response.id_token = std::string(*id_token);

  if (!optional_string(*answer, "token_type", response.token_type)) {
    return std::string("the token endpoint's token_type is not a string");
  }
  if (answer->contains("token_type") && !is_bearer(response.token_type)) {
    return std::string("the token endpoint's token_type is not Bearer");
  }
  if (!optional_string(*answer, "access_token", response.access_token) ||
      !optional_string(*answer, "scope", response.scope)) {
    return std::string("the token endpoint's access_token or scope is not a string");
  }
  if (answer->contains("expires_in")) {
    const auto expires_in = integer_member(*answer, "expires_in");
    if (!expires_in || *expires_in < 0) return std::string("the token endpoint's expires_in is not a positive integer");
    response.expires_in = *expires_in;
  }
  return response;
}

}  // namespace pse::portal::oidc

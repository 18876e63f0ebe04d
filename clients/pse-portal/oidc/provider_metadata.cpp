#include "oidc/provider_metadata.hpp"

#include "oidc/json_input.hpp"

#include "base/base64.hpp"

#include "url_form.hpp"  // clients/web: pse::web::percent_encode

#include <algorithm>
#include <array>
#include <utility>

namespace pse::portal::oidc {
namespace {

namespace json = boost::json;

// Copies the https URL `name` into `out`; the error naming the member (never its value), or
// an empty string.
std::string read_endpoint(const json::object& document, std::string_view name, std::string& out) {
  const json::string* url = string_member(document, name);
  if (url == nullptr) return "the discovery document has no " + std::string(name);
  if (!is_https_url(std::string_view(url->data(), url->size()))) {
    return "the discovery document's " + std::string(name) + " is not an https:// URL";
  }
  out = std::string(*url);
  return {};
}

void append_parameter(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += '=';
  out += web::percent_encode(value);
}

}  // namespace

bool is_https_url(std::string_view url) noexcept {
  constexpr std::string_view kScheme = "https://";
  if (url.size() > kMaxUrlLength || !url.starts_with(kScheme)) return false;
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) return false;
  if (url.find('#') != std::string_view::npos) return false;
  const std::string_view rest = url.substr(kScheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  return !authority.empty() && authority.front() != ':' && authority.find('@') == std::string_view::npos;
}

Expected<ProviderMetadata, std::string> parse_provider_metadata(std::string_view text,
                                                                std::string_view expected_issuer) {
  if (text.size() > kMaxMetadataBytes) return std::string("the discovery document is larger than 64 KiB");
  const auto document = parse_json_object(text, kMaxMetadataBytes);
  if (!document) return std::string("the discovery document is not a JSON object");

  ProviderMetadata metadata;
  const json::string* issuer = string_member(*document, "issuer");
  if (issuer == nullptr) return std::string("the discovery document has no issuer");
  if (expected_issuer.empty() || std::string_view(issuer->data(), issuer->size()) != expected_issuer) {
    return std::string("the discovery document's issuer is not the configured issuer");
  }
  if (!is_https_url(expected_issuer) || expected_issuer.find('?') != std::string_view::npos) {
    return std::string("the issuer is not an https:// URL without query or fragment");
  }
  metadata.issuer = std::string(expected_issuer);

  const std::array<std::pair<std::string_view, std::string*>, 3> required{{
      {"authorization_endpoint", &metadata.authorization_endpoint},
      {"token_endpoint", &metadata.token_endpoint},
      {"jwks_uri", &metadata.jwks_uri},
  }};
  for (const auto& [name, field] : required) {
    if (auto wrong = read_endpoint(*document, name, *field); !wrong.empty()) return wrong;
  }
  if (document->contains("end_session_endpoint")) {
    if (auto wrong = read_endpoint(*document, "end_session_endpoint", metadata.end_session_endpoint); !wrong.empty()) {
      return wrong;
    }
  }

  if (const json::value* methods = document->if_contains("code_challenge_methods_supported")) {
    const bool s256 = methods->is_array() &&
                      std::any_of(methods->get_array().begin(), methods->get_array().end(),
                                  [](const json::value& method) { return method.is_string() && method.get_string() == "S256"; });
    if (!s256) return std::string("the provider does not support PKCE with S256 (code_challenge_methods_supported)");
  }
  return metadata;
}

std::string authorization_url(const ProviderMetadata& metadata, std::string_view client_id,
                              std::string_view redirect_uri, std::string_view scope, std::string_view state,
                              std::string_view nonce, std::string_view code_challenge) {
  std::string url = metadata.authorization_endpoint;
  // RFC 6749 §3.1: a query the endpoint already has is kept.
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&";
  append_parameter(url, "client_id", client_id);
  url += '&';
  append_parameter(url, "redirect_uri", redirect_uri);
  url += '&';
  append_parameter(url, "scope", scope);
  url += '&';
  append_parameter(url, "state", state);
  url += '&';
  append_parameter(url, "nonce", nonce);
  url += '&';
  append_parameter(url, "code_challenge", code_challenge);
  url += "&code_challenge_method=S256";
  return url;
}

std::string token_request_body(std::string_view code, std::string_view redirect_uri, std::string_view code_verifier) {
  std::string body = "grant_type=authorization_code&";
  append_parameter(body, "code", code);
  body += '&';
  append_parameter(body, "redirect_uri", redirect_uri);
  body += '&';
  append_parameter(body, "code_verifier", code_verifier);
  return body;
}

std::string basic_authorization(std::string_view client_id, std::string_view client_secret) {
  const std::string credentials = web::percent_encode(client_id) + ":" + web::percent_encode(client_secret);
  return "Basic " + to_base64(credentials, Base64::standard);
}

}  // namespace pse::portal::oidc

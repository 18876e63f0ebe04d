#include "route_helpers.hpp"

#include "url_form.hpp"

#include <algorithm>

namespace pse::portal {

Target parse_target(std::string_view target) {
  Target parsed;
  const auto question = target.find('?');
  parsed.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return parsed;
  parsed.query = std::string(target.substr(question + 1));
  if (query_value(parsed.query, "lang") == "en") parsed.language = Language::en;
  return parsed;
}

std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return web::percent_decode(pair.substr(equals + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

// Lax, not Strict: the provider's redirect back to /auth/callback is a navigation from another
// site, and it must carry the login cookie. Posts are guarded by the CSRF token instead.
std::string set_cookie(std::string_view name, std::string_view value, const char* max_age) {
  std::string cookie = std::string(name) + "=" + std::string(value) + "; Path=/; Secure; HttpOnly; SameSite=Lax";
  if (max_age != nullptr) cookie += std::string("; Max-Age=") + max_age;
  return cookie;
}

web::WebResponse redirect(std::string location) {
  web::WebResponse response;
  response.status = 303;
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

std::string in_language(std::string path, Language language) {
  if (language == Language::en) path += path.find('?') == std::string::npos ? "?lang=en" : "&lang=en";
  return path;
}

bool valid_record_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool valid_subject_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 127; });
}

std::string_view media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

}  // namespace pse::portal

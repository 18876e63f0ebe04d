// Small pieces every route of the portal uses: the request target, cookies, redirects, and
// the checks on identifiers a form may carry.
#pragma once

#include "words.hpp"
#include "web_types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pse::portal {

struct Target {
  std::string path;
  std::string query;
  Language language = Language::fr;
};

/// Path, query and language (`lang=en` anywhere in the query) of a request target.
Target parse_target(std::string_view target);

/// One value of a query string; std::nullopt when absent or badly escaped.
std::optional<std::string> query_value(std::string_view query, std::string_view name);

/// One cookie of a Cookie header.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

/// A Set-Cookie value: Path=/, Secure, HttpOnly, SameSite=Lax, and Max-Age when given.
std::string set_cookie(std::string_view name, std::string_view value, const char* max_age = nullptr);

/// 303 to `location`.
web::WebResponse redirect(std::string location);

/// `path` (which may have a query) with `lang=en` added for English.
std::string in_language(std::string path, Language language);

/// A registry id (cns_…, mdt_…): 1–128 of [A-Za-z0-9_-].
bool valid_record_id(std::string_view id);

/// A citizen's file number as typed: 1–128 printable ASCII characters, no spaces.
bool valid_subject_id(std::string_view id);

/// The media type of a Content-Type header, without its parameters.
std::string_view media_type(std::string_view content_type);

inline constexpr Words kUnavailable{"Service momentanément indisponible", "Service temporarily unavailable"};
inline constexpr Words kUnavailableText{
    "Vos renseignements ne peuvent pas être affichés pour l'instant. Réessayez dans quelques minutes.",
    "Your information cannot be shown right now. Try again in a few minutes."};

}  // namespace pse::portal

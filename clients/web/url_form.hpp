// application/x-www-form-urlencoded bodies and query strings, strictly: a page's posts are
// small forms whose names are known, so anything else is refused rather than guessed at.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::web {

/// Decodes an urlencoded body into name → value. Refuses (nullopt) a bad %-escape, a repeated
/// or unknown name, or a value that is not clean UTF-8. `allowed` lists the names accepted.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body,
                                                             std::initializer_list<std::string_view> allowed);

/// The same, with names known only at run time (one checkbox per category, say).
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body, const std::vector<std::string>& allowed);

/// Decodes one %-escaped component ('+' is a space). nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text);

/// `text` %-encoded for a query value or a path segment: unreserved characters (RFC 3986
/// §2.3) as they are, every other byte %XX.
std::string percent_encode(std::string_view text);

}  // namespace pse::web

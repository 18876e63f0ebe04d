// CSRF protection for the form: a random per-browser cookie (`__Host-pse-fb`, Secure, HttpOnly,
// SameSite=Strict) and, in the form, a MAC of that cookie and the link's token. A post is
// accepted only when the field is the MAC of the cookie it comes with, so another site can
// neither read nor forge the pair, and a field copied from one link does not work on another.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace pse::feedback {

inline constexpr std::string_view kCsrfCookie = "__Host-pse-fb";

class CsrfGuard {
 public:
  explicit CsrfGuard(const std::array<unsigned char, 32>& key) : key_(key) {}

  /// A new random cookie value (43 base64url characters).
  static std::string new_cookie_value();
  /// The cookie's value from a Cookie header, when present and well-formed.
  static std::optional<std::string> cookie_from_header(std::string_view cookie_header);
  /// The Set-Cookie header value for `value`.
  static std::string set_cookie(std::string_view value);

  std::string field_for(std::string_view cookie_value, std::string_view link_token) const;
  bool check(std::string_view cookie_value, std::string_view link_token, std::string_view field) const;

 private:
  std::array<unsigned char, 32> key_;
};

}  // namespace pse::feedback

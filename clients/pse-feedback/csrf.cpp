#include "csrf.hpp"

#include "link_token.hpp"

#include <sodium.h>

namespace pse::feedback {

std::string CsrfGuard::new_cookie_value() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return base64url(bytes.data(), bytes.size());
}

std::optional<std::string> CsrfGuard::cookie_from_header(std::string_view header) {
  std::size_t start = 0;
  while (start < header.size()) {
    auto end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(start, end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    start = end + 1;
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos || pair.substr(0, equals) != kCsrfCookie) continue;
    const std::string_view value = pair.substr(equals + 1);
    if (value.size() != 43) return std::nullopt;
    for (const char c : value) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) return std::nullopt;
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::string CsrfGuard::set_cookie(std::string_view value) {
  return std::string(kCsrfCookie) + "=" + std::string(value) + "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string CsrfGuard::field_for(std::string_view cookie_value, std::string_view link_token) const {
  const std::string input = std::string(cookie_value) + "|" + std::string(link_token);
  std::array<unsigned char, crypto_auth_BYTES> mac{};
  crypto_auth(mac.data(), reinterpret_cast<const unsigned char*>(input.data()), input.size(), key_.data());
  return base64url(mac.data(), mac.size());
}

bool CsrfGuard::check(std::string_view cookie_value, std::string_view link_token, std::string_view field) const {
  const std::string expected = field_for(cookie_value, link_token);
  if (field.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), field.data(), expected.size()) == 0;
}

}  // namespace pse::feedback

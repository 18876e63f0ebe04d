#include "security_headers.hpp"

#include <string>

namespace pse::web {

Headers security_headers(std::string_view form_action) {
  return {{"Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action " +
                                          std::string(form_action) + "; frame-ancestors 'none'; base-uri 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Strict-Transport-Security", "max-age=31536000"},
          {"Cache-Control", "no-store"},
          {"Cross-Origin-Opener-Policy", "same-origin"},
          {"Cross-Origin-Resource-Policy", "same-origin"},
          {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"}};
}

}  // namespace pse::web

// The headers every citizen-facing page sends: a CSP that allows no script at all, no framing,
// no sniffing, no referrer (links may carry tokens), HSTS, and nothing cached.
#pragma once

#include "web_types.hpp"

#include <string_view>

namespace pse::web {

/// `form_action`: the CSP's form-action sources ("'self'", or more where a form's answer
/// redirects to another site).
Headers security_headers(std::string_view form_action = "'self'");

}  // namespace pse::web

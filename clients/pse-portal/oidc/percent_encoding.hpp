// Percent-encoding of the values the relying party sends: the authorization request's query,
// the token request's form body and the client's Basic credentials (RFC 3986 §2.1, RFC 6749
// Appendix B). One rule serves all three: the unreserved characters stay, every other byte of
// the UTF-8 text becomes %XX, so a space is %20, which form decoders read as a space too.
#pragma once

#include <string>
#include <string_view>

namespace pse::portal::oidc {

/// `text` with every byte outside A-Z a-z 0-9 - . _ ~ written as %XX (upper-case hex).
std::string percent_encode(std::string_view text);

}  // namespace pse::portal::oidc

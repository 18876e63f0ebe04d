// Base64 (RFC 4648) in its two alphabets: standard with padding (MIME, SMTP AUTH, key files)
// and URL-safe without padding (JWS consent receipts, feedback link tokens, cookies).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pse {

enum class Base64 {
  standard,  ///< RFC 4648 §4: A-Z a-z 0-9 + /, padded with '='
  url,       ///< RFC 4648 §5: A-Z a-z 0-9 - _, no padding
};

std::string to_base64(std::string_view bytes, Base64 alphabet);
std::string to_base64(std::span<const std::uint8_t> bytes, Base64 alphabet);

/// The bytes `text` encodes; std::nullopt unless all of it is base64 in that alphabet (an
/// empty text is the empty string).
std::optional<std::string> from_base64(std::string_view text, Base64 alphabet);

}  // namespace pse

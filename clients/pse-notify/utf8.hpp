// UTF-8 decoding and encoding, strict: what reaches a citizen must be valid text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::notify {

/// The code points of `text`, or nullopt when it is not valid UTF-8 (overlong forms,
/// surrogates and code points above U+10FFFF are invalid).
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text);

void append_utf8(std::string& out, char32_t code_point);

/// A byte that continues a multi-byte sequence (10xxxxxx): never the place to cut a text.
inline bool is_continuation_byte(char byte) { return (static_cast<unsigned char>(byte) & 0xC0u) == 0x80u; }

}  // namespace pse::notify

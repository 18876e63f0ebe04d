// UTF-8 validation for text that will become a JSON string.
//
// Legacy files are often Latin-1 or Windows-1252 mislabelled as UTF-8; such bytes must be
// reported with their offset, never passed on to produce invalid JSON downstream.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace pse::adapters {

/// The offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF), or std::nullopt when `text` is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

}  // namespace pse::adapters

// Hex, as the platform writes hashes, keys and ids: lower case out, either case in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pse {

/// Lower-case hex of any bytes.
std::string to_hex(std::span<const std::uint8_t> bytes);
std::string to_hex(std::string_view bytes);

/// Decodes hex (either case) into exactly `size` bytes; std::nullopt on any other input.
std::optional<std::string> bytes_from_hex(std::string_view hex, std::size_t size);

/// Views the bytes of a string as unsigned bytes.
inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace pse

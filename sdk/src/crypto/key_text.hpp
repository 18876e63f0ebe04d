// Bytes as text for the SDK's cryptography (libsodium): base64 in its two alphabets, and the
// 32-byte keys the platform keeps as one line of standard base64. Self-contained so that the
// SDK does not depend on the broker's base library.
#pragma once

#include <pse/result.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::crypto {

using Key32 = std::array<std::uint8_t, 32>;

enum class Alphabet { standard, url_unpadded };

/// Initialises libsodium once; throws std::runtime_error when it cannot be.
void ensure_sodium();

/// std::nullopt for text that is not base64 in `alphabet`, or that decodes to more than `max_bytes`.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text, std::size_t max_bytes, Alphabet alphabet);
std::string to_base64(const std::uint8_t* bytes, std::size_t size, Alphabet alphabet);
inline std::string to_base64(std::string_view text, Alphabet alphabet) {
  return to_base64(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), alphabet);
}

/// A key from its base64 text (trailing whitespace allowed); std::nullopt unless exactly 32 bytes.
std::optional<Key32> decode_key(std::string_view base64);

/// A key file; internal_error naming `what` and the file when it cannot be read or holds no key.
Result<Key32> read_key(const std::filesystem::path& file, std::string_view what);

/// The public key the platform registered for `organisation` in `directory` (<org>.pub), e.g.
/// what = "signing key"; `failure` when the name could not be a file name of the directory or
/// there is no key.
Result<Key32> registered_key(const std::filesystem::path& directory, std::string_view organisation,
                             std::string_view what = "signing key", Reason failure = Reason::integrity_failed);

/// The key of an optional ClientOptions file: std::nullopt for an empty path; throws
/// std::runtime_error naming the file when it is set and cannot be used (as for the PEM files).
std::optional<Key32> key_of_option(const std::filesystem::path& file, std::string_view what);

}  // namespace pse::crypto

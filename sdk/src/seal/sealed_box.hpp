// End-to-end encryption of a record for its consumer: libsodium sealed boxes (an ephemeral
// X25519 key agreement with the consumer's public key, then XSalsa20-Poly1305), so that the
// broker routing it can neither read nor alter it. Keys are 32 raw bytes, kept in files as one
// line of standard base64, as the platform's other keys are (docs/decisions/classification.md).
#pragma once

#include <pse/result.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pse::seal {

using Key = std::array<std::uint8_t, 32>;

/// A key from its base64 text; std::nullopt unless it decodes to exactly 32 bytes.
std::optional<Key> decode_key(std::string_view base64);

/// `plaintext` sealed for the holder of `recipient`'s secret key, as base64.
std::string seal(std::string_view plaintext, const Key& recipient);

/// Opens what seal() made for this secret key; decryption_failed when it is not base64, was
/// sealed for another key, or was altered.
Result<std::string> open(std::string_view sealed_base64, const Key& secret);

}  // namespace pse::seal

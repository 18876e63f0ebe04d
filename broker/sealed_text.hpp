// A record sealed for its recipient (libsodium sealed box, in base64) as the broker sees it:
// opaque, so all it can check is that it has the shape of one.
#pragma once

#include "base/base64.hpp"

#include <string_view>

namespace pse::broker {

/// A sealed box adds an ephemeral public key and a MAC (crypto_box_SEALBYTES) to what it seals.
inline constexpr std::size_t kSealedBoxOverhead = 48;

/// Standard base64 of more than a sealed box's overhead.
inline bool is_sealed_box_text(std::string_view base64) {
  const auto bytes = from_base64(base64, Base64::standard);
  return bytes && bytes->size() > kSealedBoxOverhead;
}

}  // namespace pse::broker

#include <pse/publish.hpp>

#include "crypto/key_text.hpp"

#include <sodium.h>

#include <array>

namespace pse {

std::string event_id_for(std::string_view publisher, std::string_view idempotency_key) {
  crypto::ensure_sodium();
  std::array<unsigned char, 16> digest{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, digest.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(publisher.data()), publisher.size());
  const unsigned char separator = 0;  // ids cannot contain it: (a, bc) and (ab, c) differ
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(idempotency_key.data()), idempotency_key.size());
  crypto_generichash_final(&state, digest.data(), digest.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "evt_";
  for (unsigned char byte : digest) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0f];
  }
  return id;
}

}  // namespace pse

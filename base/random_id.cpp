#include "base/random_id.hpp"

#include "base/hex.hpp"

#include <sodium.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace pse {

std::string random_id(std::string_view prefix, std::size_t random_bytes) {
  // randombytes_buf needs no sodium_init() for the default generator, but calling it is what
  // libsodium documents; it is cheap after the first time.
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  std::vector<std::uint8_t> bytes(random_bytes);
  randombytes_buf(bytes.data(), bytes.size());
  std::string id(prefix);
  id += to_hex(bytes);
  return id;
}

}  // namespace pse

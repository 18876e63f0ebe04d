#include <pse/exchange.hpp>

#include <openssl/rand.h>

#include <array>
#include <random>

namespace pse {

std::string make_request_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // OpenSSL's generator failing is rare (no entropy at boot); an id only has to be unique
    // for this consumer over the broker's 10-minute window, which random_device gives too.
    std::random_device device;
    for (auto& byte : bytes) byte = static_cast<unsigned char>(device());
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string id = "sdk-";
  for (unsigned char byte : bytes) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0f];
  }
  return id;
}

}  // namespace pse

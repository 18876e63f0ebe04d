// libFuzzer: any bytes as a consent receipt given to pse-receipt verify (clients/pse-receipt),
// checked against a fixed platform key. A receipt is accepted only whole and unaltered: its
// payload is then exactly the JSON between the two dots.
#include "broker/consent/receipt.hpp"

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

// The committed seeds are receipts signed with the key of this seed (all bytes 0x42), so the
// fuzzer starts from receipts that verify.
const pse::audit::PublicKey& platform_key() {
  static const pse::audit::PublicKey key = [] {
    if (sodium_init() < 0) __builtin_trap();
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    seed.fill(0x42);
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};
    crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
    pse::audit::PublicKey made;
    std::copy(public_key.begin(), public_key.end(), made.bytes.begin());
    return made;
  }();
  return key;
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string base64url(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view receipt = trimmed(std::string_view(reinterpret_cast<const char*>(data), size));
  auto payload = pse::consent::verify_receipt(receipt, platform_key());
  if (!payload) return 0;
  const auto first = receipt.find('.');
  const auto second = receipt.find('.', first + 1);
  if (base64url(*payload) != receipt.substr(first + 1, second - first - 1)) __builtin_trap();
  return 0;
}

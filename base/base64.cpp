#include "base/base64.hpp"

#include <sodium.h>

namespace pse {
namespace {

int variant(Base64 alphabet) {
  return alphabet == Base64::url ? sodium_base64_VARIANT_URLSAFE_NO_PADDING : sodium_base64_VARIANT_ORIGINAL;
}

}  // namespace

std::string to_base64(std::span<const std::uint8_t> bytes, Base64 alphabet) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant(alphabet)), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant(alphabet));
  out.resize(out.size() - 1);  // the terminating NUL libsodium writes
  return out;
}

std::string to_base64(std::string_view bytes, Base64 alphabet) {
  return to_base64(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), alphabet);
}

std::optional<std::string> from_base64(std::string_view text, Base64 alphabet) {
  if (text.empty()) return std::string();  // libsodium must not be given an empty buffer
  std::string out(text.size(), '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &written, &end, variant(alphabet)) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

}  // namespace pse

#include "crypto/key_text.hpp"

#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace pse::crypto {
namespace {

int variant_of(Alphabet alphabet) {
  return alphabet == Alphabet::standard ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

}  // namespace

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text, std::size_t max_bytes, Alphabet alphabet) {
  if (text.size() > (max_bytes / 3 + 2) * 4) return std::nullopt;  // longer than max_bytes encoded
  std::vector<std::uint8_t> bytes(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        variant_of(alphabet)) != 0 ||
      length > max_bytes) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

std::string to_base64(const std::uint8_t* bytes, std::size_t size, Alphabet alphabet) {
  std::string text(sodium_base64_ENCODED_LEN(size, variant_of(alphabet)), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, variant_of(alphabet));
  text.pop_back();  // the terminating NUL
  return text;
}

std::optional<Key32> decode_key(std::string_view base64) {
  ensure_sodium();
  while (!base64.empty() && (base64.back() == '\n' || base64.back() == '\r' || base64.back() == ' ')) base64.remove_suffix(1);
  auto bytes = from_base64(base64, 32, Alphabet::standard);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  Key32 key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

Result<Key32> read_key(const std::filesystem::path& file, std::string_view what) {
  std::ifstream in(file);
  if (!in) return make_error(Reason::internal_error, "cannot read the " + std::string(what) + " file " + file.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = decode_key(text);
  if (!key) return make_error(Reason::internal_error, file.string() + " does not hold a 32-byte key in base64");
  return *key;
}

Result<Key32> registered_key(const std::filesystem::path& directory, std::string_view organisation,
                             std::string_view what, Reason failure) {
  // An organisation id is snake_case or kebab-case: never a path of its own.
  const bool plain = !organisation.empty() && std::all_of(organisation.begin(), organisation.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!plain) return make_error(failure, "'" + std::string(organisation) + "' cannot name a key file");
  auto key = read_key(directory / (std::string(organisation) + ".pub"), what);
  if (!key) return make_error(failure, key.error().message);
  return *key;
}

std::optional<Key32> key_of_option(const std::filesystem::path& file, std::string_view what) {
  if (file.empty()) return std::nullopt;
  auto key = read_key(file, what);
  if (!key) throw std::runtime_error(key.error().message);
  return *key;
}

}  // namespace pse::crypto

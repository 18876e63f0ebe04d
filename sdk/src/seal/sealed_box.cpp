#include "seal/sealed_box.hpp"

#include <sodium.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace pse::seal {
namespace {

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text, std::size_t max_bytes) {
  if (text.size() > (max_bytes / 3 + 2) * 4) return std::nullopt;  // longer than max_bytes encoded
  std::vector<std::uint8_t> bytes(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

std::string to_base64(const std::uint8_t* bytes, std::size_t size) {
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();  // the terminating NUL
  return text;
}

}  // namespace

std::optional<Key> decode_key(std::string_view base64) {
  ensure_sodium();
  while (!base64.empty() && (base64.back() == '\n' || base64.back() == '\r' || base64.back() == ' ')) base64.remove_suffix(1);
  auto bytes = from_base64(base64, 32);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  Key key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

std::string seal(std::string_view plaintext, const Key& recipient) {
  ensure_sodium();
  std::vector<std::uint8_t> sealed(plaintext.size() + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                  recipient.data());
  return to_base64(sealed.data(), sealed.size());
}

Result<std::string> open(std::string_view sealed_base64, const Key& secret) {
  ensure_sodium();
  constexpr std::size_t kMaxSealedBytes = 16 * 1024 * 1024;
  auto sealed = from_base64(sealed_base64, kMaxSealedBytes);
  if (!sealed || sealed->size() < crypto_box_SEALBYTES) {
    return make_error(Reason::decryption_failed, "the sealed record is not a sealed box in base64");
  }
  Key public_key;
  crypto_scalarmult_base(public_key.data(), secret.data());
  std::string plaintext(sealed->size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plaintext.data()), sealed->data(), sealed->size(),
                           public_key.data(), secret.data()) != 0) {
    return make_error(Reason::decryption_failed, "the sealed record was not sealed for this key, or was altered");
  }
  return plaintext;
}

Result<Key> read_secret_key(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return make_error(Reason::internal_error, "cannot read the encryption key file " + file.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = decode_key(text);
  if (!key) return make_error(Reason::internal_error, file.string() + " does not hold a 32-byte key in base64");
  return *key;
}

}  // namespace pse::seal

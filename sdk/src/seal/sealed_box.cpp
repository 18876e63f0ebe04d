#include "seal/sealed_box.hpp"

#include "crypto/key_text.hpp"

#include <sodium.h>

#include <vector>

namespace pse::seal {

std::optional<Key> decode_key(std::string_view base64) { return crypto::decode_key(base64); }

std::string seal(std::string_view plaintext, const Key& recipient) {
  crypto::ensure_sodium();
  std::vector<std::uint8_t> sealed(plaintext.size() + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                  recipient.data());
  return crypto::to_base64(sealed.data(), sealed.size(), crypto::Alphabet::standard);
}

Result<std::string> open(std::string_view sealed_base64, const Key& secret) {
  crypto::ensure_sodium();
  constexpr std::size_t kMaxSealedBytes = 16 * 1024 * 1024;
  auto sealed = crypto::from_base64(sealed_base64, kMaxSealedBytes, crypto::Alphabet::standard);
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

}  // namespace pse::seal

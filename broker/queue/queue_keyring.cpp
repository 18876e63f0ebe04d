#include "broker/queue/queue_keyring.hpp"

#include "base/base64.hpp"
#include "base/config_error.hpp"
#include "base/key_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pse::queue {
namespace {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == queue_key_bytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == queue_nonce_bytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == queue_tag_bytes);

constexpr std::string_view file_prefix = "queue-";
constexpr std::string_view file_suffix = ".key";

void ensure_sodium() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

bool is_valid_key_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 32) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

QueueKeyring::Key::~Key() { sodium_memzero(bytes.data(), bytes.size()); }

QueueKeyring::QueueKeyring(std::string active_id) : active_id_(std::move(active_id)) { ensure_sodium(); }

void QueueKeyring::add(std::string_view id, std::span<const std::uint8_t> key) {
  if (!is_valid_key_id(id)) throw std::invalid_argument("a queue key id is 1-32 of [A-Za-z0-9_-]");
  if (key.size() != queue_key_bytes) throw std::invalid_argument("a queue key has 32 bytes");
  auto stored = std::make_unique<Key>();
  std::memcpy(stored->bytes.data(), key.data(), queue_key_bytes);
  keys_[std::string(id)] = std::move(stored);
}

QueueKeyring QueueKeyring::load(const std::filesystem::path& keys_dir, std::string_view active_id) {
  if (!is_valid_key_id(active_id)) {
    throw ConfigError(keys_dir, 0, "the active queue key id must be 1-32 of [A-Za-z0-9_-]");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(keys_dir, error)) {
    throw ConfigError(keys_dir, 0, "queue key directory not found");
  }
  QueueKeyring keyring{std::string(active_id)};
  for (const auto& entry : std::filesystem::directory_iterator(keys_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(file_prefix) || !name.ends_with(file_suffix)) continue;
    const std::filesystem::path& file = entry.path();
    const std::string id = name.substr(file_prefix.size(), name.size() - file_prefix.size() - file_suffix.size());
    if (!is_valid_key_id(id)) {
      throw ConfigError(file, 0, "a queue key id (queue-<id>.key) is 1-32 of [A-Za-z0-9_-]");
    }
    std::string text = read_secret_key_file(file);
    std::array<std::uint8_t, 2 * queue_key_bytes> decoded{};
    std::size_t decoded_size = 0;
    const int status = sodium_base642bin(decoded.data(), decoded.size(), text.data(), text.size(), nullptr,
                                         &decoded_size, nullptr, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(text.data(), text.size());
    if (status != 0 || decoded_size != queue_key_bytes) {
      sodium_memzero(decoded.data(), decoded.size());
      throw ConfigError(file, 0, "expected standard base64 of exactly 32 bytes (openssl rand -base64 32)");
    }
    keyring.add(id, std::span<const std::uint8_t>(decoded.data(), queue_key_bytes));
    sodium_memzero(decoded.data(), decoded.size());
  }
  if (error) throw ConfigError(keys_dir, 0, "cannot list queue key directory: " + error.message());
  if (!keyring.contains(active_id)) {
    throw ConfigError(keys_dir / (std::string(file_prefix) + std::string(active_id) + std::string(file_suffix)), 0,
                      "the active queue key file is missing");
  }
  return keyring;
}

SealedPayload QueueKeyring::seal(std::string_view plaintext, std::string_view associated_data) const {
  const auto found = keys_.find(active_id_);
  if (found == keys_.end()) throw std::logic_error("the active queue key is not in the keyring");
  SealedPayload sealed;
  sealed.key_id = active_id_;
  sealed.nonce.resize(queue_nonce_bytes);
  randombytes_buf(sealed.nonce.data(), sealed.nonce.size());
  sealed.ciphertext.resize(plaintext.size() + queue_tag_bytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(sealed.ciphertext.data()), &written, bytes_of(plaintext), plaintext.size(),
      bytes_of(associated_data), associated_data.size(), nullptr, bytes_of(sealed.nonce),
      found->second->bytes.data());
  sealed.ciphertext.resize(static_cast<std::size_t>(written));
  return sealed;
}

Result<std::string> QueueKeyring::open(std::string_view key_id, std::string_view nonce,
                                       std::string_view ciphertext, std::string_view associated_data) const {
  const auto found = keys_.find(key_id);
  if (found == keys_.end()) {
    return make_error(QueueErrorCode::unknown_key,
                      "payload sealed with queue key '" + std::string(key_id) + "', which the keyring does not hold");
  }
  if (nonce.size() != queue_nonce_bytes || ciphertext.size() < queue_tag_bytes) {
    return make_error(QueueErrorCode::decrypt_failed, "stored payload is malformed (nonce or tag size)");
  }
  std::string plaintext(ciphertext.size() - queue_tag_bytes, '\0');
  unsigned long long size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plaintext.data()), &size,
                                                 nullptr, bytes_of(ciphertext), ciphertext.size(),
                                                 bytes_of(associated_data), associated_data.size(),
                                                 bytes_of(nonce), found->second->bytes.data()) != 0) {
    return make_error(QueueErrorCode::decrypt_failed,
                      "stored payload fails authentication under queue key '" + std::string(key_id) +
                          "' (tampered, or not this row's)");
  }
  plaintext.resize(static_cast<std::size_t>(size));
  return plaintext;
}

std::string seal_as_text(const QueueKeyring& keys, std::string_view plaintext, std::string_view associated_data) {
  const SealedPayload sealed = keys.seal(plaintext, associated_data);
  // Key ids are [A-Za-z0-9_-] and standard base64 has no '.': the dots separate unambiguously.
  return sealed.key_id + "." + to_base64(sealed.nonce, Base64::standard) + "." +
         to_base64(sealed.ciphertext, Base64::standard);
}

std::optional<std::string> open_sealed_text(const QueueKeyring& keys, std::string_view text,
                                            std::string_view associated_data) {
  const std::size_t first = text.find('.');
  const std::size_t second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto nonce = from_base64(text.substr(first + 1, second - first - 1), Base64::standard);
  const auto ciphertext = from_base64(text.substr(second + 1), Base64::standard);
  if (!nonce || !ciphertext) return std::nullopt;
  auto opened = keys.open(text.substr(0, first), *nonce, *ciphertext, associated_data);
  if (!opened) return std::nullopt;
  return std::move(*opened);
}

}  // namespace pse::queue

// QueueKeyring — the keys that seal payloads at rest in the delivery queue.
//
// Each payload is sealed with XChaCha20-Poly1305 (IETF, libsodium) under the ACTIVE key, with a
// fresh random 24-byte nonce, and the key id is stored in the row. Older rows open with the key
// their row names, so keys rotate: add a new key file, make it active, keep the old file until
// no row names it any more. The associated data (chosen by the caller) binds a ciphertext to
// its row, so rows cannot be swapped or moved.
//
// Key files: `<keys_dir>/queue-<id>.key`, standard base64 of exactly 32 random bytes
// (`openssl rand -base64 32 > queue-2026a.key && chmod 600 queue-2026a.key`), a trailing newline
// allowed; <id> is 1–32 of [A-Za-z0-9_-]. Keys are wiped (sodium_memzero) when the keyring dies.
//
// Thread safety: const members may be called from any number of threads at once.
#pragma once

#include "broker/queue/queue_error.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <string_view>

namespace pse::queue {

constexpr std::size_t queue_key_bytes = 32;
constexpr std::size_t queue_nonce_bytes = 24;
constexpr std::size_t queue_tag_bytes = 16;

/// A sealed payload: which key, the nonce, and the ciphertext with its 16-byte tag.
struct SealedPayload {
  std::string key_id;
  std::string nonce;       ///< 24 bytes
  std::string ciphertext;  ///< plaintext size + 16 bytes
};

/// true for 1–32 characters of [A-Za-z0-9_-].
bool is_valid_key_id(std::string_view id) noexcept;

class QueueKeyring {
 public:
  /// Reads every `queue-<id>.key` in `keys_dir`. Throws pse::ConfigError naming the file for a
  /// file readable by group or others, content that is not base64 of exactly 32 bytes, a bad
  /// id, a missing directory, or an active id with no file.
  static QueueKeyring load(const std::filesystem::path& keys_dir, std::string_view active_id);

  /// An empty keyring whose active key is `active_id` (add it before use). For tests and tools.
  explicit QueueKeyring(std::string active_id);
  /// Adds (or replaces) a key. Throws std::invalid_argument for a bad id or size.
  void add(std::string_view id, std::span<const std::uint8_t> key);

  QueueKeyring(QueueKeyring&&) noexcept = default;
  QueueKeyring& operator=(QueueKeyring&&) noexcept = default;
  QueueKeyring(const QueueKeyring&) = delete;
  QueueKeyring& operator=(const QueueKeyring&) = delete;
  ~QueueKeyring() = default;

  const std::string& active_id() const noexcept { return active_id_; }
  bool contains(std::string_view id) const { return keys_.find(std::string(id)) != keys_.end(); }
  std::size_t size() const noexcept { return keys_.size(); }

  /// Seals under the active key (which must be present: open() checks it).
  SealedPayload seal(std::string_view plaintext, std::string_view associated_data) const;
  /// unknown_key or decrypt_failed; never a payload byte in the message.
  Result<std::string> open(std::string_view key_id, std::string_view nonce, std::string_view ciphertext,
                           std::string_view associated_data) const;

 private:
  struct Key {
    std::array<std::uint8_t, queue_key_bytes> bytes{};
    Key() = default;
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    ~Key();
  };

  std::string active_id_;
  // unique_ptr: the bytes never move, so no stray copy is left unwiped.
  std::map<std::string, std::unique_ptr<Key>, std::less<>> keys_;
};

/// `plaintext` sealed under the active key as one line of text, "<key id>.<nonce>.<ciphertext>"
/// (standard base64), for what is kept at rest beside the queue: the audit log's outbox, the
/// answers a hub keeps for retries.
std::string seal_as_text(const QueueKeyring& keys, std::string_view plaintext, std::string_view associated_data);

/// The inverse; std::nullopt for text seal_as_text did not write with these keys and this
/// associated data.
std::optional<std::string> open_sealed_text(const QueueKeyring& keys, std::string_view text,
                                            std::string_view associated_data);

}  // namespace pse::queue

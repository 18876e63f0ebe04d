// The audit log's two secrets, kept in files generated at run time (`pse-audit keygen`) and
// never committed:
//
//   audit-signing.key   Ed25519 secret key (libsodium's 64 bytes, hex), mode 600
//   audit-signing.pub   the matching public key (32 bytes, hex), for anyone who verifies
//   subject-hash.key    32 random bytes (hex), mode 600: the key of the subject hash
//
// The subject hash is libsodium's crypto_generichash (BLAKE2b-256) keyed with
// subject-hash.key: without the key, a copied log cannot be searched for a known subject id,
// nor can ids be guessed by hashing candidates. Secret key files readable by group or others
// are refused, as ssh does, so that a misconfigured deployment fails at start-up.
#pragma once

#include "base/sha256.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace pse::audit {

inline constexpr std::string_view signing_key_file = "audit-signing.key";
inline constexpr std::string_view public_key_file = "audit-signing.pub";
inline constexpr std::string_view subject_key_file = "subject-hash.key";

using Signature = std::array<std::uint8_t, 64>;

struct PublicKey {
  std::array<std::uint8_t, 32> bytes{};
  bool operator==(const PublicKey&) const = default;
};

class SigningKey {
 public:
  static SigningKey generate();
  /// From libsodium's 64-byte secret key; throws std::invalid_argument when its public half
  /// does not match its seed (a damaged file).
  static SigningKey from_secret(std::span<const std::uint8_t> secret);

  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();

  Signature sign(std::span<const std::uint8_t> message) const;
  const PublicKey& public_key() const noexcept { return public_; }
  std::span<const std::uint8_t> secret_bytes() const noexcept { return secret_; }

 private:
  SigningKey() = default;
  std::array<std::uint8_t, 64> secret_{};
  PublicKey public_;
};

bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message,
                      const Signature& signature);

class SubjectHashKey {
 public:
  static SubjectHashKey generate();
  static SubjectHashKey from_bytes(std::span<const std::uint8_t> bytes);  ///< exactly 32 bytes
  SubjectHashKey(const SubjectHashKey&) = default;
  SubjectHashKey& operator=(const SubjectHashKey&) = default;
  ~SubjectHashKey();

  /// BLAKE2b-256 of the subject id keyed with this key.
  Hash hash(std::string_view subject_id) const;
  std::span<const std::uint8_t> bytes() const noexcept { return key_; }

 private:
  SubjectHashKey() = default;
  std::array<std::uint8_t, 32> key_{};
};

/// Writes the three key files into `dir` (created if missing). Throws ConfigError, writing
/// nothing, when any of them already exists.
void write_new_key_files(const std::filesystem::path& dir);

/// Each loader throws ConfigError naming the file: missing, not hex of the right size, or
/// (secret keys) readable by group or others.
SigningKey load_signing_key(const std::filesystem::path& file);
PublicKey load_public_key(const std::filesystem::path& file);
SubjectHashKey load_subject_hash_key(const std::filesystem::path& file);

/// Short identifier of a public key: the first 8 bytes of its SHA-256, in hex.
std::string key_id(const PublicKey& key);

}  // namespace pse::audit

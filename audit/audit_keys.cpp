#include "audit/audit_keys.hpp"

#include "base/config_error.hpp"
#include "base/key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pse::audit {
namespace {

void ensure_sodium() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string read_hex_key(const std::filesystem::path& file, const std::string& text, std::size_t size) {
  const auto bytes = bytes_from_hex(text, size);
  if (!bytes) {
    throw ConfigError(file, 0, "expected " + std::to_string(size * 2) + " hex digits");
  }
  return *bytes;
}

void write_exclusive(const std::filesystem::path& file, std::string_view content, mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw ConfigError(file, 0, std::string("cannot create: ") + std::strerror(errno));
  std::string text(content);
  text.push_back('\n');
  const auto written = ::write(fd, text.data(), text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()) || !synced) {
    throw ConfigError(file, 0, "cannot write key file");
  }
}

}  // namespace

SigningKey SigningKey::generate() {
  ensure_sodium();
  SigningKey key;
  crypto_sign_ed25519_keypair(key.public_.bytes.data(), key.secret_.data());
  return key;
}

SigningKey SigningKey::from_secret(std::span<const std::uint8_t> secret) {
  ensure_sodium();
  if (secret.size() != 64) throw std::invalid_argument("an Ed25519 secret key has 64 bytes");
  SigningKey key;
  std::array<std::uint8_t, 64> derived{};
  // The second half of libsodium's secret key is the public key: rederive it from the seed
  // (the first half) so that a damaged file is refused instead of producing bad signatures.
  crypto_sign_ed25519_seed_keypair(key.public_.bytes.data(), derived.data(), secret.data());
  const bool matches = sodium_memcmp(derived.data(), secret.data(), 64) == 0;
  key.secret_ = derived;
  sodium_memzero(derived.data(), derived.size());
  if (!matches) throw std::invalid_argument("the public half does not match the seed");
  return key;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

Signature SigningKey::sign(std::span<const std::uint8_t> message) const {
  Signature signature{};
  crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(),
                               secret_.data());
  return signature;
}

bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message,
                      const Signature& signature) {
  ensure_sodium();
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             key.bytes.data()) == 0;
}

SubjectHashKey SubjectHashKey::generate() {
  ensure_sodium();
  SubjectHashKey key;
  randombytes_buf(key.key_.data(), key.key_.size());
  return key;
}

SubjectHashKey SubjectHashKey::from_bytes(std::span<const std::uint8_t> bytes) {
  ensure_sodium();
  if (bytes.size() != 32) throw std::invalid_argument("a subject hash key has 32 bytes");
  SubjectHashKey key;
  std::memcpy(key.key_.data(), bytes.data(), 32);
  return key;
}

SubjectHashKey::~SubjectHashKey() { sodium_memzero(key_.data(), key_.size()); }

Hash SubjectHashKey::hash(std::string_view subject_id) const {
  Hash out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(subject_id.data()),
                     subject_id.size(), key_.data(), key_.size());
  return out;
}

void write_new_key_files(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw ConfigError(dir, 0, "cannot create directory: " + error.message());
  // Refuse before writing anything, so that a half-written set never replaces a good one.
  for (const std::string_view name : {signing_key_file, public_key_file, subject_key_file}) {
    if (std::filesystem::exists(dir / name)) {
      throw ConfigError(dir / name, 0, "already exists; refusing to overwrite a key");
    }
  }
  const SigningKey signing = SigningKey::generate();
  const SubjectHashKey subject = SubjectHashKey::generate();
  write_exclusive(dir / signing_key_file, to_hex(signing.secret_bytes()), 0600);
  write_exclusive(dir / public_key_file, to_hex(signing.public_key().bytes), 0644);
  write_exclusive(dir / subject_key_file, to_hex(subject.bytes()), 0600);
}

SigningKey load_signing_key(const std::filesystem::path& file) {
  std::string secret = read_hex_key(file, read_secret_key_file(file), 64);
  try {
    SigningKey key = SigningKey::from_secret(as_bytes(secret));
    sodium_memzero(secret.data(), secret.size());
    return key;
  } catch (const std::invalid_argument& e) {
    sodium_memzero(secret.data(), secret.size());
    throw ConfigError(file, 0, std::string("not a valid Ed25519 secret key: ") + e.what());
  }
}

PublicKey load_public_key(const std::filesystem::path& file) {
  const std::string bytes = read_hex_key(file, read_key_file(file), 32);
  PublicKey key;
  std::memcpy(key.bytes.data(), bytes.data(), 32);
  return key;
}

SubjectHashKey load_subject_hash_key(const std::filesystem::path& file) {
  std::string bytes = read_hex_key(file, read_secret_key_file(file), 32);
  SubjectHashKey key = SubjectHashKey::from_bytes(as_bytes(bytes));
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

std::string key_id(const PublicKey& key) {
  const Hash digest = sha256(key.bytes);
  return to_hex(std::span<const std::uint8_t>(digest.data(), 8));
}

}  // namespace pse::audit

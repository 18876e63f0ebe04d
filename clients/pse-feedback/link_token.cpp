#include "link_token.hpp"

#include "base/base64.hpp"
#include "base/hex.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace pse::feedback {
namespace {

constexpr std::size_t kMaxToken = 512;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

// A token's part: never empty (an empty signature must not pass as "no bytes to check").
std::optional<std::string> decode(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return from_base64(text, Base64::url);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

std::string_view to_string(TokenError error) noexcept {
  switch (error) {
    case TokenError::malformed: return "malformed";
    case TokenError::bad_signature: return "bad_signature";
    case TokenError::expired: return "expired";
  }
  return "malformed";
}

bool valid_service_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool valid_transaction_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string base64url(const unsigned char* data, std::size_t size) {
  return to_base64(std::span<const std::uint8_t>(data, size), Base64::url);
}

std::string LinkSigner::generate_key_file(const std::filesystem::path& file) {
  ensure_sodium();
  std::array<unsigned char, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), seed.data(), seed.size());
  sodium_memzero(seed.data(), seed.size());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + file.string() + " (it must not exist yet)";
  std::string line(hex.data());
  line += '\n';
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  sodium_memzero(hex.data(), hex.size());
  sodium_memzero(line.data(), line.size());
  if (!written) return "cannot write " + file.string();
  return {};
}

Expected<LinkSigner, std::string> LinkSigner::load(const std::filesystem::path& file) {
  ensure_sodium();
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return std::string("cannot read the signing key " + file.string());
  if ((info.st_mode & 077U) != 0) {
    return std::string("the signing key " + file.string() + " must be readable by its owner only (chmod 600)");
  }
  std::ifstream in(file);
  std::string hex;
  in >> hex;
  std::array<unsigned char, 32> seed{};
  std::size_t length = 0;
  if (hex.size() != 64 ||
      sodium_hex2bin(seed.data(), seed.size(), hex.data(), hex.size(), nullptr, &length, nullptr) != 0 ||
      length != seed.size()) {
    return std::string("the signing key " + file.string() + " is not 64 hex digits (make one with keygen)");
  }
  LinkSigner signer(seed);
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(hex.data(), hex.size());
  return signer;
}

LinkSigner::LinkSigner(const std::array<unsigned char, 32>& seed) : seed_(seed) {
  ensure_sodium();
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed_.data());
}

std::string LinkSigner::issue(const LinkClaims& claims) const {
  const std::string payload =
      "1|" + claims.service + "|" + claims.transaction + "|" + std::to_string(claims.expires_at);
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(payload.data()),
                       payload.size(), secret_key_.data());
  return base64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) + "." +
         base64url(signature.data(), signature.size());
}

Expected<LinkClaims, TokenError> LinkSigner::verify(std::string_view token, std::int64_t now) const {
  if (token.empty() || token.size() > kMaxToken) return TokenError::malformed;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return TokenError::malformed;
  const std::optional<std::string> payload = decode(token.substr(0, dot));
  const std::optional<std::string> signature = decode(token.substr(dot + 1));
  if (!payload || !signature || signature->size() != crypto_sign_BYTES) return TokenError::malformed;
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(payload->data()), payload->size(),
                                  public_key_.data()) != 0) {
    return TokenError::bad_signature;
  }
  const std::string_view text(*payload);
  const auto parts = split(text, '|');
  if (parts.size() != 4 || parts[0] != "1" || !valid_service_id(parts[1]) || !valid_transaction_id(parts[2])) {
    return TokenError::malformed;
  }
  LinkClaims claims{std::string(parts[1]), std::string(parts[2]), 0};
  const auto [end, error] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), claims.expires_at);
  if (error != std::errc() || end != parts[3].data() + parts[3].size()) return TokenError::malformed;
  if (now >= claims.expires_at) return TokenError::expired;
  return claims;
}

std::array<unsigned char, 32> LinkSigner::derive_key(std::uint64_t purpose) const {
  std::array<unsigned char, 32> key{};
  crypto_kdf_derive_from_key(key.data(), key.size(), purpose, "pse-fdbk", seed_.data());
  return key;
}

std::string transaction_key(const std::array<unsigned char, 32>& key, const LinkClaims& claims) {
  const std::string input = claims.service + "|" + claims.transaction;
  std::array<unsigned char, 32> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                     key.data(), key.size());
  return to_hex(hash);
}

}  // namespace pse::feedback

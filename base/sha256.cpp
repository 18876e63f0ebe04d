#include "base/sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace pse {
namespace {

const EVP_MD* sha256_algorithm() {
  // Fetched once: EVP_sha256() would look the provider up again on every digest.
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (algorithm == nullptr) throw std::runtime_error("OpenSSL has no SHA-256");
  return algorithm;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

struct ThreadContext {
  std::unique_ptr<EVP_MD_CTX, ContextDeleter> context{EVP_MD_CTX_new()};
  bool lent = false;
};

thread_local ThreadContext g_thread_context;

EVP_MD_CTX* context_of(void* context) { return static_cast<EVP_MD_CTX*>(context); }

}  // namespace

Sha256::Sha256() : context_(nullptr), borrowed_(!g_thread_context.lent) {
  if (borrowed_) {
    g_thread_context.lent = true;
    context_ = g_thread_context.context.get();
  } else {
    context_ = EVP_MD_CTX_new();
  }
  if (context_ == nullptr ||
      EVP_DigestInit_ex2(context_of(context_), sha256_algorithm(), nullptr) != 1) {
    // The destructor will not run: give the context back before throwing.
    if (borrowed_) g_thread_context.lent = false;
    else EVP_MD_CTX_free(context_of(context_));
    throw std::runtime_error("SHA-256 initialisation failed");
  }
}

Sha256::~Sha256() {
  if (borrowed_) {
    g_thread_context.lent = false;
  } else {
    EVP_MD_CTX_free(context_of(context_));
  }
}

Sha256& Sha256::update(std::span<const std::uint8_t> bytes) {
  EVP_DigestUpdate(context_of(context_), bytes.data(), bytes.size());
  return *this;
}

Sha256& Sha256::update(std::string_view bytes) { return update(as_bytes(bytes)); }

Sha256& Sha256::update(std::uint8_t byte) { return update(std::span<const std::uint8_t>(&byte, 1)); }

Hash Sha256::finish() {
  Hash out{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_of(context_), out.data(), &size);
  return out;
}

Hash sha256(std::span<const std::uint8_t> bytes) { return Sha256().update(bytes).finish(); }

Hash sha256(std::string_view bytes) { return sha256(as_bytes(bytes)); }

std::optional<Hash> hash_from_hex(std::string_view hex) {
  const auto bytes = bytes_from_hex(hex, 32);
  if (!bytes) return std::nullopt;
  Hash out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>((*bytes)[i]);
  return out;
}

}  // namespace pse

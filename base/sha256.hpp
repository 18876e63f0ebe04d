// SHA-256 and the 32-byte hash type (the audit log's leaves and nodes, payload hashes).
//
// SHA-256 comes from OpenSSL rather than libsodium: OpenSSL uses the CPU's SHA extensions
// where present, several times faster than libsodium's portable code, and hashing is the
// writer thread's main cost per entry (see docs/decisions/audit.md).
#pragma once

#include "base/hex.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pse {

using Hash = std::array<std::uint8_t, 32>;

/// Incremental SHA-256. Cheap to construct: each thread keeps one digest context and lends it
/// to the first live Sha256; a second one alive at the same time gets a context of its own.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(std::span<const std::uint8_t> bytes);
  Sha256& update(std::string_view bytes);
  Sha256& update(std::uint8_t byte);
  Hash finish();

 private:
  void* context_;  // EVP_MD_CTX
  bool borrowed_;  // true when context_ is the thread's, false when this object owns it
};

/// SHA-256 of `bytes` in one call.
Hash sha256(std::span<const std::uint8_t> bytes);
Hash sha256(std::string_view bytes);

/// Decodes a 64-digit hex string into a Hash.
std::optional<Hash> hash_from_hex(std::string_view hex);

}  // namespace pse

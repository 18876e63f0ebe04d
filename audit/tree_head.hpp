// Signed tree heads: the platform's signed statement "the log had `tree_size` entries and
// this Merkle root at `time`".
//
// The signature (Ed25519, the audit signing key) covers a fixed binary message:
//
//   "PSE-AUDIT-TREE-HEAD-V1\n" ‖ tree_size (u64 BE) ‖ time (i64 BE, µs) ‖ root ‖ previous
//
// where `previous` is the digest of the head before it (SHA-256 of its message and
// signature; 32 zero bytes for the first head). Chaining the heads lets `verify` check every
// stored head by hashing, plus one Ed25519 verification of the newest head: a head edited,
// removed from the middle or forged breaks the chain, and signature checks cost ~50 µs each
// whereas a busy log issues one head per commit.
#pragma once

#include "audit/audit_entry.hpp"
#include "audit/audit_keys.hpp"
#include "base/sha256.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace pse::audit {

struct SignedTreeHead {
  std::uint64_t tree_size = 0;
  TimeMicros time = 0;
  Hash root{};
  Hash previous{};  ///< digest() of the previous head; zeros for the first
  Signature signature{};

  bool operator==(const SignedTreeHead&) const = default;
};

/// The bytes the signature covers.
std::string tree_head_message(const SignedTreeHead& head);

/// The digest the next head chains to.
Hash tree_head_digest(const SignedTreeHead& head);

/// Fills in the signature.
void sign_tree_head(SignedTreeHead& head, const SigningKey& key);

bool verify_tree_head(const SignedTreeHead& head, const PublicKey& key);

/// A head as a small JSON document (what `pse-audit head` exports and `verify --head` reads):
///   {"tree_size":N,"time":"…Z","time_us":N,"root":"hex","previous":"hex","signature":"hex"}
std::string tree_head_to_json(const SignedTreeHead& head);

}  // namespace pse::audit

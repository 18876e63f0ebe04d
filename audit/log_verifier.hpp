// Verification of a whole audit log: what `pse-audit verify` runs.
//
// One pass over the entries in sequence order recomputes every leaf hash from the stored
// columns and rebuilds the Merkle tree; the root at each signed tree head's size must equal
// the root that head signed. The heads themselves are checked as a chain (each names the
// digest of the one before), and the newest by its Ed25519 signature, which authenticates the
// chain and through it every head. Cost: O(entries) hashing plus O(heads) hashing plus one
// signature — seconds for a million entries.
//
// Each problem names the first sequence number it puts in doubt. The leaf hash recorded with
// each entry at write time is not trusted (anyone can recompute a SHA-256), but it pinpoints
// which entry changed: when a head's root no longer matches, the first entry in its range
// whose content disagrees with its recorded hash is named; if someone also rewrote the
// recorded hashes, the first entry the head covers beyond the last intact head is named.
//
// What is derived from the entries is checked in the same pass: the subject index, and the
// stored tree nodes (tree_nodes.hpp) against the tree of the recorded leaf hashes, since
// proofs are built from those two. Their problems name no sequence number: the entries are not
// in doubt, what is built from them is.
#pragma once

#include "audit/audit_keys.hpp"
#include "audit/audit_store.hpp"
#include "audit/result.hpp"
#include "audit/tree_head.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pse::audit {

struct VerifyProblem {
  std::optional<std::uint64_t> seq;  ///< the first entry in doubt; none for a bad given head
  std::string description;
};

struct VerifyReport {
  std::uint64_t entries = 0;     ///< rows read
  std::uint64_t tree_heads = 0;  ///< stored heads read
  std::optional<SignedTreeHead> latest_head;
  Hash root{};                       ///< recomputed root over every row read
  std::vector<VerifyProblem> problems;  ///< ordered by seq (problems without one last)

  bool intact() const noexcept { return problems.empty(); }
  std::optional<std::uint64_t> first_bad_seq() const;
};

struct VerifyOptions {
  /// Heads kept elsewhere (`verify --head FILE`): each must be validly signed and match.
  std::vector<SignedTreeHead> external_heads;
  /// Called now and then with (entries done, entries in total), for a progress bar.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

/// Errors only when the store cannot be read; tampering is reported in the VerifyReport.
Result<VerifyReport> verify_log(AuditStore& store, const PublicKey& key, const VerifyOptions& options);

}  // namespace pse::audit

// The Merkle tree of RFC 9162 §2.1 (the same tree as RFC 6962 Certificate Transparency).
//
//   leaf hash  = SHA-256(0x00 ‖ entry bytes)
//   node hash  = SHA-256(0x01 ‖ left ‖ right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n
//
// The 0x00/0x01 prefixes keep a leaf from ever being read as an interior node (second
// pre-image resistance). Appends use MerkleFrontier — the roots of the perfect subtrees that
// make up the tree, one per set bit of its size — so adding an entry and computing the root
// both cost O(log n) and the writer never re-reads old entries.
//
// A proof is a list of subtree roots: *_proof_ranges say which leaf ranges, in proof order, so
// that the same proof can be built from the leaf hashes (here) or from the interior nodes a
// store keeps (tree_nodes.hpp). Proofs are checked with the algorithms of RFC 9162 §2.1.3.2
// and §2.1.4.2, which anyone can run without our code.
#pragma once

#include "base/sha256.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pse::audit {

Hash leaf_hash(std::span<const std::uint8_t> entry_bytes);
Hash node_hash(const Hash& left, const Hash& right);
/// The root of the empty tree, SHA-256 of nothing.
Hash empty_tree_root();

/// A perfect subtree: the root of the leaves [index·2^level, (index+1)·2^level). Level 0 is a
/// leaf.
struct MerkleNode {
  unsigned level = 0;
  std::uint64_t index = 0;
  Hash hash{};
  bool operator==(const MerkleNode&) const = default;
};

/// The right edge of a tree: enough to append in O(log n) and to compute the root.
class MerkleFrontier {
 public:
  using NodeSink = std::function<void(const MerkleNode&)>;

  MerkleFrontier() = default;

  void append(const Hash& leaf);
  /// The same, handing `completed` each perfect subtree of level 1 and up that the leaf
  /// completes, lowest first. These never change once complete, whatever is appended later.
  void append(const Hash& leaf, const NodeSink& completed);
  std::uint64_t size() const noexcept { return size_; }
  Hash root() const;

  /// Size then the subtree roots, for storing the writer's state between runs.
  std::string serialize() const;
  static std::optional<MerkleFrontier> deserialize(std::string_view bytes);

  bool operator==(const MerkleFrontier&) const = default;

 private:
  std::uint64_t size_ = 0;
  // Roots of the perfect subtrees, largest (leftmost) first; one per set bit of size_.
  std::vector<Hash> subtrees_;
};

/// MTH over the given leaf hashes (O(n)).
Hash merkle_root(std::span<const Hash> leaves);

/// The leaves [begin, end): a proof holds the MTH of each of its ranges.
struct LeafRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  bool operator==(const LeafRange&) const = default;
};

/// The ranges of PATH(index, D[tree_size]), from the leaf up; none when index >= tree_size.
std::vector<LeafRange> inclusion_proof_ranges(std::uint64_t index, std::uint64_t tree_size);

/// The ranges of PROOF(old_size, D[new_size]); none unless 0 < old_size < new_size.
std::vector<LeafRange> consistency_proof_ranges(std::uint64_t old_size, std::uint64_t new_size);

/// RFC 9162 §2.1.3.1 PATH(index, D[leaves.size()]): siblings from the leaf up.
std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, std::uint64_t index);

/// RFC 9162 §2.1.4.1 PROOF(old_size, D[leaves.size()]).
std::vector<Hash> consistency_proof(std::span<const Hash> leaves, std::uint64_t old_size);

/// RFC 9162 §2.1.3.2: the root the proof leads to, or std::nullopt when the proof is malformed
/// for that index and size (wrong length, index out of range).
std::optional<Hash> root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                              const Hash& leaf, std::span<const Hash> proof);

bool verify_inclusion(std::uint64_t index, std::uint64_t tree_size, const Hash& leaf,
                      std::span<const Hash> proof, const Hash& root);

/// RFC 9162 §2.1.4.2: true when the tree of `old_size` with `old_root` is a prefix of the
/// tree of `new_size` with `new_root`.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                        const Hash& new_root, std::span<const Hash> proof);

}  // namespace pse::audit

// The tree's interior nodes as the stores keep them, and proofs built from them in O(log n).
//
// A proof is a list of subtree roots (merkle.hpp). From the leaf hashes alone each root costs
// reading and hashing every leaf under it: the whole log, for a proof against its latest head.
// So the stores also keep the roots of the perfect subtrees whose level is a multiple of
// `tile_height` (levels 8, 16, 24…): a row per 256 entries, one more per 65,536, and so on,
// 0.4 % as many rows as entries. They are written in the transaction of the batch that
// completes them, from what the writer's frontier computes anyway (as C2SP tlog-tiles logs
// do, without the tiles' file layout).
//
// Any perfect subtree's root is then the Merkle root of at most 2^(tile_height - 1) nodes of
// the stored level just below it, level 0 being the leaf hashes kept with each entry. The
// nodes of one stored level that a subtree of the levels above can need all lie in one "tile"
// of 2^tile_height consecutive nodes, so a proof reads, per stored level, the tile under its
// entry and the tile at the tree's right edge: a few queries and at most a few thousand
// hashes whatever the log's size, and memory to match.
//
// Nodes are derived data, like the recorded leaf hashes: `pse-audit verify` recomputes them
// from the leaves, and a proof built from an altered node does not lead to the signed root
// (`pse-audit prove` checks every proof before printing it).
#pragma once

#include "audit/audit_store.hpp"
#include "audit/merkle.hpp"
#include "audit/result.hpp"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace pse::audit {

/// Levels stored are the multiples of this. Part of the stores' format.
inline constexpr unsigned tile_height = 8;
inline constexpr std::uint64_t tile_width = std::uint64_t{1} << tile_height;

constexpr bool is_stored_level(unsigned level) noexcept { return level != 0 && level % tile_height == 0; }

/// The nodes at stored levels of a tree of `tree_size` leaves.
std::uint64_t stored_node_count(std::uint64_t tree_size);

/// Appends `leaf` to `frontier`, adding the stored-level nodes it completes to `nodes`.
void append_leaf(MerkleFrontier& frontier, const Hash& leaf, std::vector<MerkleNode>& nodes);

/// Subtree roots of the tree of `tree_size` leaves, from a store's nodes and leaf hashes. It
/// keeps the tiles it read: one object per proof, then dropped.
class StoredTree {
 public:
  StoredTree(AuditStore& store, std::uint64_t tree_size) : store_(store), tree_size_(tree_size) {}

  /// MTH(D[range.begin:range.end]), for a non-empty range within the tree. Errors: corrupt
  /// when a node or leaf hash it needs is missing or malformed, or the store's own.
  Result<Hash> root_of(LeafRange range);
  Result<std::vector<Hash>> roots_of(const std::vector<LeafRange>& ranges);

 private:
  Result<Hash> perfect_root(unsigned level, std::uint64_t index);
  Result<const std::vector<Hash>*> tile(unsigned level, std::uint64_t tile_index);
  Result<std::vector<Hash>> read_level(unsigned level, std::uint64_t begin, std::uint64_t end);

  AuditStore& store_;
  std::uint64_t tree_size_;
  std::map<std::pair<unsigned, std::uint64_t>, std::vector<Hash>> tiles_;  // (level, tile index)
};

}  // namespace pse::audit

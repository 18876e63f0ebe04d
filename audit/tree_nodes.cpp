#include "audit/tree_nodes.hpp"

#include <algorithm>
#include <bit>
#include <span>
#include <string>

namespace pse::audit {
namespace {

AuditError missing_node(unsigned level, std::uint64_t index) {
  return make_error(AuditErrorCode::corrupt, "the tree node at level " + std::to_string(level) + ", index " +
                                                 std::to_string(index) + " is missing or malformed; run pse-audit verify");
}

}  // namespace

std::uint64_t stored_node_count(std::uint64_t tree_size) {
  std::uint64_t count = 0;
  for (unsigned level = tile_height; level < 64 && (tree_size >> level) != 0; level += tile_height) {
    count += tree_size >> level;
  }
  return count;
}

void append_leaf(MerkleFrontier& frontier, const Hash& leaf, std::vector<MerkleNode>& nodes) {
  frontier.append(leaf, [&nodes](const MerkleNode& node) {
    if (is_stored_level(node.level)) nodes.push_back(node);
  });
}

Result<std::vector<Hash>> StoredTree::roots_of(const std::vector<LeafRange>& ranges) {
  std::vector<Hash> roots;
  roots.reserve(ranges.size());
  for (const LeafRange& range : ranges) {
    auto root = root_of(range);
    if (!root) return root.error();
    roots.push_back(*root);
  }
  return roots;
}

// MTH's own recursion, cut short at every aligned power-of-two range: the ranges of a proof
// are all of that kind, or a right edge made of at most one per level.
Result<Hash> StoredTree::root_of(LeafRange range) {
  const std::uint64_t size = range.end - range.begin;
  if (range.end <= range.begin || range.end > tree_size_) {
    return make_error(AuditErrorCode::invalid_argument, "a subtree outside the tree of " + std::to_string(tree_size_));
  }
  if (std::has_single_bit(size) && range.begin % size == 0) {
    return perfect_root(static_cast<unsigned>(std::countr_zero(size)), range.begin / size);
  }
  const std::uint64_t split = std::bit_floor(size - 1);
  auto left = root_of({range.begin, range.begin + split});
  if (!left) return left;
  auto right = root_of({range.begin + split, range.end});
  if (!right) return right;
  return node_hash(*left, *right);
}

// From the nodes of the stored level at or below `level`, all in one tile.
Result<Hash> StoredTree::perfect_root(unsigned level, std::uint64_t index) {
  const unsigned base = level - level % tile_height;
  const unsigned height = level - base;
  const std::uint64_t first = index << height;
  const std::uint64_t count = std::uint64_t{1} << height;
  auto nodes = tile(base, first / tile_width);
  if (!nodes) return nodes.error();
  const std::uint64_t offset = first % tile_width;
  if (offset + count > (*nodes)->size()) return missing_node(base, first - offset + (*nodes)->size());
  return merkle_root(std::span(**nodes).subspan(offset, count));
}

// The tile's nodes that are complete in this tree (all of them but at the right edge).
Result<const std::vector<Hash>*> StoredTree::tile(unsigned level, std::uint64_t tile_index) {
  const auto key = std::make_pair(level, tile_index);
  if (const auto found = tiles_.find(key); found != tiles_.end()) return &found->second;
  const std::uint64_t begin = tile_index * tile_width;
  const std::uint64_t end = std::min(begin + tile_width, tree_size_ >> level);
  auto nodes = read_level(level, begin, std::max(begin, end));
  if (!nodes) return nodes.error();
  return &tiles_.emplace(key, std::move(nodes).value()).first->second;
}

Result<std::vector<Hash>> StoredTree::read_level(unsigned level, std::uint64_t begin, std::uint64_t end) {
  if (level == 0) return store_.read_leaf_hashes(begin, end);
  std::vector<Hash> hashes;
  hashes.reserve(end - begin);
  bool contiguous = true;
  auto status = store_.read_tree_nodes(level, begin, end, [&](const StoredNode& node) {
    contiguous = node.well_formed && node.index == begin + hashes.size();
    if (contiguous) hashes.push_back(node.hash);
    return contiguous;
  });
  if (!status) return status.error();
  if (!contiguous || hashes.size() != end - begin) return missing_node(level, begin + hashes.size());
  return hashes;
}

}  // namespace pse::audit

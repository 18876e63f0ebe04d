#include "audit/merkle.hpp"

#include <bit>
#include <cstring>

namespace pse::audit {
namespace {

constexpr std::uint8_t leaf_prefix = 0x00;
constexpr std::uint8_t node_prefix = 0x01;

// The largest power of two strictly below n (n >= 2).
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

// PATH(index, D[begin:end]) of RFC 9162 §2.1.3.1, as ranges.
void append_path(std::uint64_t begin, std::uint64_t end, std::uint64_t index, std::vector<LeafRange>& out) {
  const std::uint64_t n = end - begin;
  if (n <= 1) return;
  const std::uint64_t k = split_point(n);
  if (index < k) {
    append_path(begin, begin + k, index, out);
    out.push_back({begin + k, end});
  } else {
    append_path(begin + k, end, index - k, out);
    out.push_back({begin, begin + k});
  }
}

// SUBPROOF(m, D[begin:end], complete) of RFC 9162 §2.1.4.1, as ranges.
void append_subproof(std::uint64_t begin, std::uint64_t end, std::uint64_t m, bool complete,
                     std::vector<LeafRange>& out) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back({begin, end});
    return;
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    append_subproof(begin, begin + k, m, complete, out);
    out.push_back({begin + k, end});
  } else {
    append_subproof(begin + k, end, m - k, false, out);
    out.push_back({begin, begin + k});
  }
}

std::vector<Hash> roots_of(std::span<const Hash> leaves, const std::vector<LeafRange>& ranges) {
  std::vector<Hash> roots;
  roots.reserve(ranges.size());
  for (const LeafRange& range : ranges) roots.push_back(merkle_root(leaves.subspan(range.begin, range.end - range.begin)));
  return roots;
}

bool lowest_bit(std::uint64_t value) { return (value & 1U) != 0; }

}  // namespace

Hash leaf_hash(std::span<const std::uint8_t> entry_bytes) {
  return Sha256().update(leaf_prefix).update(entry_bytes).finish();
}

Hash node_hash(const Hash& left, const Hash& right) {
  return Sha256().update(node_prefix).update(left).update(right).finish();
}

Hash empty_tree_root() { return sha256(std::string_view()); }

void MerkleFrontier::append(const Hash& leaf) { append(leaf, nullptr); }

void MerkleFrontier::append(const Hash& leaf, const NodeSink& completed) {
  Hash carry = leaf;
  unsigned level = 0;
  // Each trailing set bit of the size is a perfect subtree the same height as `carry`.
  for (std::uint64_t bits = size_; lowest_bit(bits); bits >>= 1) {
    carry = node_hash(subtrees_.back(), carry);
    subtrees_.pop_back();
    ++level;
    if (completed) completed(MerkleNode{level, size_ >> level, carry});
  }
  subtrees_.push_back(carry);
  ++size_;
}

Hash MerkleFrontier::root() const {
  if (subtrees_.empty()) return empty_tree_root();
  Hash root = subtrees_.back();
  for (auto it = subtrees_.rbegin() + 1; it != subtrees_.rend(); ++it) root = node_hash(*it, root);
  return root;
}

std::string MerkleFrontier::serialize() const {
  std::string out(8 + subtrees_.size() * 32, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(size_ >> (56 - 8 * i));
  for (std::size_t i = 0; i < subtrees_.size(); ++i) {
    std::memcpy(out.data() + 8 + 32 * i, subtrees_[i].data(), 32);
  }
  return out;
}

std::optional<MerkleFrontier> MerkleFrontier::deserialize(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  MerkleFrontier frontier;
  for (std::size_t i = 0; i < 8; ++i) {
    frontier.size_ = (frontier.size_ << 8) | static_cast<std::uint8_t>(bytes[i]);
  }
  const auto count = static_cast<std::size_t>(std::popcount(frontier.size_));
  if (bytes.size() != 8 + 32 * count) return std::nullopt;
  frontier.subtrees_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::memcpy(frontier.subtrees_[i].data(), bytes.data() + 8 + 32 * i, 32);
  }
  return frontier;
}

Hash merkle_root(std::span<const Hash> leaves) {
  MerkleFrontier frontier;
  for (const Hash& leaf : leaves) frontier.append(leaf);
  return frontier.root();
}

std::vector<LeafRange> inclusion_proof_ranges(std::uint64_t index, std::uint64_t tree_size) {
  std::vector<LeafRange> ranges;
  if (index < tree_size) append_path(0, tree_size, index, ranges);
  return ranges;
}

std::vector<LeafRange> consistency_proof_ranges(std::uint64_t old_size, std::uint64_t new_size) {
  std::vector<LeafRange> ranges;
  if (old_size > 0 && old_size < new_size) append_subproof(0, new_size, old_size, true, ranges);
  return ranges;
}

std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, std::uint64_t index) {
  return roots_of(leaves, inclusion_proof_ranges(index, leaves.size()));
}

std::vector<Hash> consistency_proof(std::span<const Hash> leaves, std::uint64_t old_size) {
  return roots_of(leaves, consistency_proof_ranges(old_size, leaves.size()));
}

std::optional<Hash> root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                              const Hash& leaf, std::span<const Hash> proof) {
  if (index >= tree_size) return std::nullopt;
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return std::nullopt;
    if (lowest_bit(fn) || fn == sn) {
      r = node_hash(p, r);
      if (!lowest_bit(fn)) {
        while (!lowest_bit(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return std::nullopt;
  return r;
}

bool verify_inclusion(std::uint64_t index, std::uint64_t tree_size, const Hash& leaf,
                      std::span<const Hash> proof, const Hash& root) {
  const auto computed = root_from_inclusion_proof(index, tree_size, leaf, proof);
  return computed && *computed == root;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                        const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();  // the empty tree is a prefix of every tree
  if (proof.empty()) return false;

  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  // When the old tree is perfect its root is a node of the new tree and the proof omits it.
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());

  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while (lowest_bit(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path.front();
  Hash sr = path.front();
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if (lowest_bit(fn) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!lowest_bit(fn)) {
        while (!lowest_bit(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace pse::audit

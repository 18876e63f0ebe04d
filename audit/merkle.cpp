#include "audit/merkle.hpp"

#include <bit>
#include <cstring>

namespace pse::audit {
namespace {

constexpr std::uint8_t leaf_prefix = 0x00;
constexpr std::uint8_t node_prefix = 0x01;

// The largest power of two strictly below n (n >= 2).
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

void append_path(std::span<const Hash> leaves, std::uint64_t index, std::vector<Hash>& out) {
  const std::uint64_t n = leaves.size();
  if (n <= 1) return;
  const std::uint64_t k = split_point(n);
  if (index < k) {
    append_path(leaves.first(k), index, out);
    out.push_back(merkle_root(leaves.subspan(k)));
  } else {
    append_path(leaves.subspan(k), index - k, out);
    out.push_back(merkle_root(leaves.first(k)));
  }
}

void append_subproof(std::span<const Hash> leaves, std::uint64_t m, bool complete,
                     std::vector<Hash>& out) {
  const std::uint64_t n = leaves.size();
  if (m == n) {
    if (!complete) out.push_back(merkle_root(leaves));
    return;
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    append_subproof(leaves.first(k), m, complete, out);
    out.push_back(merkle_root(leaves.subspan(k)));
  } else {
    append_subproof(leaves.subspan(k), m - k, false, out);
    out.push_back(merkle_root(leaves.first(k)));
  }
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

void MerkleFrontier::append(const Hash& leaf) {
  Hash carry = leaf;
  // Each trailing set bit of the size is a perfect subtree the same height as `carry`.
  for (std::uint64_t bits = size_; lowest_bit(bits); bits >>= 1) {
    carry = node_hash(subtrees_.back(), carry);
    subtrees_.pop_back();
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

std::vector<Hash> inclusion_proof(std::span<const Hash> leaves, std::uint64_t index) {
  std::vector<Hash> proof;
  if (index < leaves.size()) append_path(leaves, index, proof);
  return proof;
}

std::vector<Hash> consistency_proof(std::span<const Hash> leaves, std::uint64_t old_size) {
  std::vector<Hash> proof;
  if (old_size > 0 && old_size < leaves.size()) append_subproof(leaves, old_size, true, proof);
  return proof;
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

// The Merkle tree against published RFC 6962 test vectors, and its proofs against its own
// verifiers for every small tree.
//
// Vectors: transparency-dev/merkle, proof/verify_test.go (commit 02194e9a), the reference
// tree of 8 leaves also used by google/certificate-transparency's C++ and Go tests:
// leaves, the roots of the trees of 1..8 leaves, inclusion and consistency proofs.
#include "audit/merkle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pse::audit {
namespace {

Hash h(std::string_view hex) {
  const auto hash = hash_from_hex(hex);
  if (!hash) throw std::invalid_argument("bad hex in test vector");
  return *hash;
}

std::string bytes(std::string_view hex) { return *bytes_from_hex(hex, hex.size() / 2); }

const std::vector<std::string> leaf_data = {
    bytes(""),         bytes("00"),
    bytes("10"),       bytes("2021"),
    bytes("3031"),     bytes("40414243"),
    bytes("5051525354555657"), bytes("606162636465666768696a6b6c6d6e6f"),
};

// roots[i] is the root of the tree of the first i + 1 leaves.
const std::vector<Hash> roots = {
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
};

struct InclusionVector {
  std::uint64_t leaf;  // 1-based, as in the source
  std::uint64_t size;
  std::vector<Hash> proof;
};

const std::vector<InclusionVector> inclusion_vectors = {
    {1, 1, {}},
    {1, 8,
     {h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
      h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}},
    {6, 8,
     {h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
      h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
    {3, 3, {h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")}},
    {2, 5,
     {h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
      h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}},
};

struct ConsistencyVector {
  std::uint64_t size1;
  std::uint64_t size2;
  std::vector<Hash> proof;
};

const std::vector<ConsistencyVector> consistency_vectors = {
    {1, 1, {}},
    {1, 8,
     {h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
      h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")}},
    {6, 8,
     {h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
      h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
    {2, 5,
     {h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")}},
    {6, 7,
     {h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
      h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
      h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")}},
};

std::vector<Hash> reference_leaves() {
  std::vector<Hash> leaves;
  for (const std::string& data : leaf_data) leaves.push_back(leaf_hash(as_bytes(data)));
  return leaves;
}

TEST(MerkleTest, EmptyTreeIsSha256OfNothing) {
  EXPECT_EQ(empty_tree_root(), h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_EQ(MerkleFrontier().root(), empty_tree_root());
}

TEST(MerkleTest, RootsMatchTheReferenceTree) {
  const auto leaves = reference_leaves();
  MerkleFrontier frontier;
  for (std::size_t size = 1; size <= leaves.size(); ++size) {
    frontier.append(leaves[size - 1]);
    EXPECT_EQ(frontier.root(), roots[size - 1]) << "frontier, size " << size;
    EXPECT_EQ(merkle_root(std::span(leaves).first(size)), roots[size - 1]) << "merkle_root, size " << size;
  }
}

TEST(MerkleTest, InclusionProofsMatchTheVectorsAndVerify) {
  const auto leaves = reference_leaves();
  for (const auto& vector : inclusion_vectors) {
    const std::uint64_t index = vector.leaf - 1;
    const auto tree = std::span(leaves).first(vector.size);
    EXPECT_EQ(inclusion_proof(tree, index), vector.proof) << "leaf " << vector.leaf << " size " << vector.size;
    EXPECT_TRUE(verify_inclusion(index, vector.size, leaves[index], vector.proof, roots[vector.size - 1]));
  }
}

TEST(MerkleTest, CorruptedInclusionProofsAreRejected) {
  const auto leaves = reference_leaves();
  for (const auto& vector : inclusion_vectors) {
    const std::uint64_t index = vector.leaf - 1;
    const Hash& root = roots[vector.size - 1];
    const Hash& leaf = leaves[index];
    // The probes of transparency-dev's corruptInclusionProof.
    if (index > 0) {
      EXPECT_FALSE(verify_inclusion(index - 1, vector.size, leaf, vector.proof, root));
    }
    EXPECT_FALSE(verify_inclusion(index + 1, vector.size, leaf, vector.proof, root));
    EXPECT_FALSE(verify_inclusion(index, vector.size * 2, leaf, vector.proof, root));
    EXPECT_FALSE(verify_inclusion(index, vector.size / 2, leaf, vector.proof, root));
    EXPECT_FALSE(verify_inclusion(index, vector.size, sha256("WrongLeaf"), vector.proof, root));
    EXPECT_FALSE(verify_inclusion(index, vector.size, leaf, vector.proof, empty_tree_root()));
    auto longer = vector.proof;
    longer.push_back(root);
    EXPECT_FALSE(verify_inclusion(index, vector.size, leaf, longer, root));
    auto preceded = vector.proof;
    preceded.insert(preceded.begin(), root);
    EXPECT_FALSE(verify_inclusion(index, vector.size, leaf, preceded, root));
    for (std::size_t i = 0; i < vector.proof.size(); ++i) {
      auto flipped = vector.proof;
      flipped[i][0] ^= 8;
      EXPECT_FALSE(verify_inclusion(index, vector.size, leaf, flipped, root)) << "flipped proof[" << i << "]";
    }
    if (!vector.proof.empty()) {
      auto shorter = vector.proof;
      shorter.pop_back();
      EXPECT_FALSE(verify_inclusion(index, vector.size, leaf, shorter, root));
    }
  }
}

TEST(MerkleTest, ConsistencyProofsMatchTheVectorsAndVerify) {
  const auto leaves = reference_leaves();
  for (const auto& vector : consistency_vectors) {
    const auto tree = std::span(leaves).first(vector.size2);
    EXPECT_EQ(consistency_proof(tree, vector.size1), vector.proof) << vector.size1 << " -> " << vector.size2;
    EXPECT_TRUE(verify_consistency(vector.size1, vector.size2, roots[vector.size1 - 1], roots[vector.size2 - 1],
                                   vector.proof));
  }
}

TEST(MerkleTest, CorruptedConsistencyProofsAreRejected) {
  for (const auto& vector : consistency_vectors) {
    if (vector.proof.empty()) continue;
    const Hash& root1 = roots[vector.size1 - 1];
    const Hash& root2 = roots[vector.size2 - 1];
    const auto check = [&](std::uint64_t size1, std::uint64_t size2, const Hash& first, const Hash& second,
                           const std::vector<Hash>& proof) { return verify_consistency(size1, size2, first, second, proof); };
    EXPECT_FALSE(check(vector.size1 - 1, vector.size2, root1, root2, vector.proof));
    EXPECT_FALSE(check(vector.size1 + 1, vector.size2, root1, root2, vector.proof));
    EXPECT_FALSE(check(vector.size1, vector.size2 * 2, root1, root2, vector.proof));
    EXPECT_FALSE(check(vector.size1, vector.size2 / 2, root1, root2, vector.proof));
    EXPECT_FALSE(check(vector.size1, vector.size2, root2, root1, vector.proof));
    EXPECT_FALSE(check(vector.size1, vector.size2, root1, root2, {}));
    auto longer = vector.proof;
    longer.push_back(root1);
    EXPECT_FALSE(check(vector.size1, vector.size2, root1, root2, longer));
    auto truncated = vector.proof;
    truncated.pop_back();
    EXPECT_FALSE(check(vector.size1, vector.size2, root1, root2, truncated));
    for (std::size_t i = 0; i < vector.proof.size(); ++i) {
      auto flipped = vector.proof;
      flipped[i][0] ^= 16;
      EXPECT_FALSE(check(vector.size1, vector.size2, root1, root2, flipped)) << "flipped proof[" << i << "]";
    }
  }
}

TEST(MerkleTest, ConsistencyEdgeCasesFollowTheReference) {
  const Hash some = sha256("some");
  EXPECT_TRUE(verify_consistency(0, 0, some, some, {}));
  EXPECT_TRUE(verify_consistency(0, 1, some, sha256("other"), {}));
  EXPECT_FALSE(verify_consistency(1, 1, some, sha256("other"), {}));
  EXPECT_FALSE(verify_consistency(2, 1, some, some, {}));
  EXPECT_FALSE(verify_consistency(1, 1, some, some, std::vector<Hash>{empty_tree_root()}));
}

TEST(MerkleTest, EveryProofOfEverySmallTreeVerifies) {
  std::vector<Hash> leaves;
  for (int i = 0; i < 40; ++i) leaves.push_back(leaf_hash(as_bytes("leaf " + std::to_string(i))));
  for (std::uint64_t size = 1; size <= leaves.size(); ++size) {
    const auto tree = std::span(leaves).first(size);
    const Hash root = merkle_root(tree);
    for (std::uint64_t index = 0; index < size; ++index) {
      EXPECT_TRUE(verify_inclusion(index, size, leaves[index], inclusion_proof(tree, index), root))
          << index << " in " << size;
    }
    for (std::uint64_t old_size = 1; old_size <= size; ++old_size) {
      const Hash old_root = merkle_root(tree.first(old_size));
      EXPECT_TRUE(verify_consistency(old_size, size, old_root, root, consistency_proof(tree, old_size)))
          << old_size << " -> " << size;
    }
  }
}

TEST(MerkleTest, TheFrontierReportsEveryPerfectSubtreeItCompletes) {
  std::vector<Hash> leaves;
  std::vector<MerkleNode> completed;
  MerkleFrontier frontier;
  for (int i = 0; i < 70; ++i) {
    leaves.push_back(leaf_hash(as_bytes("leaf " + std::to_string(i))));
    frontier.append(leaves.back(), [&](const MerkleNode& node) { completed.push_back(node); });
  }
  std::size_t expected = 0;
  for (unsigned level = 1; (leaves.size() >> level) != 0; ++level) expected += leaves.size() >> level;
  EXPECT_EQ(completed.size(), expected);
  for (const MerkleNode& node : completed) {
    const std::uint64_t width = std::uint64_t{1} << node.level;
    EXPECT_EQ(node.hash, merkle_root(std::span(leaves).subspan(node.index * width, width)))
        << "level " << node.level << " index " << node.index;
  }
  EXPECT_EQ(frontier.root(), merkle_root(leaves));
}

TEST(MerkleTest, ProofRangesAreWhatTheProofsHash) {
  // Both proofs are lists of subtree roots: the ranges are those subtrees, in proof order.
  std::vector<Hash> leaves;
  for (int i = 0; i < 13; ++i) leaves.push_back(leaf_hash(as_bytes(std::to_string(i))));
  EXPECT_EQ(inclusion_proof_ranges(5, 13), (std::vector<LeafRange>{{4, 5}, {6, 8}, {0, 4}, {8, 13}}));
  EXPECT_EQ(consistency_proof_ranges(6, 13), (std::vector<LeafRange>{{4, 6}, {6, 8}, {0, 4}, {8, 13}}));
  EXPECT_TRUE(inclusion_proof_ranges(13, 13).empty());
  EXPECT_TRUE(consistency_proof_ranges(0, 13).empty());
  EXPECT_TRUE(consistency_proof_ranges(13, 13).empty());
  const auto path = inclusion_proof(leaves, 5);
  ASSERT_EQ(path.size(), 4U);
  EXPECT_EQ(path[3], merkle_root(std::span(leaves).subspan(8, 5)));
}

TEST(MerkleTest, FrontierSurvivesSerialization) {
  MerkleFrontier frontier;
  for (int i = 0; i < 13; ++i) frontier.append(leaf_hash(as_bytes(std::to_string(i))));
  const auto restored = MerkleFrontier::deserialize(frontier.serialize());
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(*restored, frontier);
  EXPECT_EQ(restored->root(), frontier.root());
  std::string damaged = frontier.serialize();
  damaged.pop_back();
  EXPECT_FALSE(MerkleFrontier::deserialize(damaged).has_value());
}

}  // namespace
}  // namespace pse::audit

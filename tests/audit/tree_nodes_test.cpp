// Proofs from the stored tree nodes (audit/tree_nodes.hpp), on both backends: the same bytes as
// the proofs built from every leaf hash (merkle.hpp) for every entry of many tree sizes, a few
// tiles read per proof however large the log, nodes computed for a log written before they
// were stored, and `verify` and `prove` faced with a node altered, deleted or added.
#include "audit/log_verifier.hpp"
#include "audit/tree_nodes.hpp"

#include "audit_test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <random>

namespace pse::audit {
namespace {

using pse::testing::Backend;
using testing::LogFixture;

// A store that counts the hashes proofs read through it.
class CountingStore final : public AuditStore {
 public:
  explicit CountingStore(AuditStore& inner) : inner_(inner) {}

  std::uint64_t hashes_read = 0;
  std::uint64_t reads = 0;

  Result<std::vector<Hash>> read_leaf_hashes(std::uint64_t begin, std::uint64_t end) override {
    ++reads;
    auto hashes = inner_.read_leaf_hashes(begin, end);
    if (hashes) hashes_read += hashes->size();
    return hashes;
  }
  Status read_tree_nodes(unsigned level, std::uint64_t begin, std::uint64_t end, const NodeVisitor& visit) override {
    ++reads;
    return inner_.read_tree_nodes(level, begin, end, [&](const StoredNode& node) {
      ++hashes_read;
      return visit(node);
    });
  }

  Result<bool> has_tree_nodes() override { return inner_.has_tree_nodes(); }
  Result<std::uint64_t> count_tree_nodes(std::uint64_t tree_size) override { return inner_.count_tree_nodes(tree_size); }
  Result<WriterState> load_writer_state() override { return inner_.load_writer_state(); }
  Status commit(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent, const Sealer& seal) override {
    return inner_.commit(entries, outbox_sent, seal);
  }
  Status recover() override { return inner_.recover(); }
  Status read_entries(std::uint64_t begin, std::uint64_t end, const EntryVisitor& visit) override {
    return inner_.read_entries(begin, end, visit);
  }
  Status read_tree_heads(const HeadVisitor& visit) override { return inner_.read_tree_heads(visit); }
  Result<std::optional<SignedTreeHead>> latest_tree_head() override { return inner_.latest_tree_head(); }
  Result<std::optional<SignedTreeHead>> tree_head_at(std::uint64_t tree_size) override {
    return inner_.tree_head_at(tree_size);
  }
  Result<std::uint64_t> count_entries() override { return inner_.count_entries(); }
  Status query(const EntryFilter& filter, const EntryVisitor& visit) override { return inner_.query(filter, visit); }
  Result<std::optional<std::string>> check_subject_index() override { return inner_.check_subject_index(); }
  Result<std::vector<OutboxMessage>> read_outbox() override { return inner_.read_outbox(); }
  Status delete_outbox(std::span<const std::uint64_t> seqs) override { return inner_.delete_outbox(seqs); }

 private:
  AuditStore& inner_;
};

std::vector<Hash> all_leaves(AuditStore& store, std::uint64_t count) {
  auto leaves = store.read_leaf_hashes(0, count);
  if (!leaves) throw std::runtime_error(leaves.error().message);
  return std::move(leaves).value();
}

/// Inclusion proofs of `seqs` and consistency proofs from `old_sizes`, in the tree of
/// `tree_size`, against the proofs merkle.hpp builds from the leaf hashes.
void expect_reference_proofs(AuditStore& store, const std::vector<Hash>& leaves, std::uint64_t tree_size,
                             const std::vector<std::uint64_t>& seqs, const std::vector<std::uint64_t>& old_sizes) {
  const auto tree = std::span(leaves).first(tree_size);
  for (const std::uint64_t seq : seqs) {
    const auto proof = build_inclusion_proof(store, seq, tree_size);
    ASSERT_TRUE(proof.ok()) << proof.error().message;
    EXPECT_EQ(proof->leaf_hash, leaves[seq]);
    EXPECT_EQ(proof->path, inclusion_proof(tree, seq)) << "entry " << seq << " of " << tree_size;
  }
  for (const std::uint64_t old_size : old_sizes) {
    const auto proof = build_consistency_proof(store, old_size, tree_size);
    ASSERT_TRUE(proof.ok()) << proof.error().message;
    EXPECT_EQ(proof->path, consistency_proof(tree, old_size)) << old_size << " -> " << tree_size;
  }
}

std::vector<std::uint64_t> up_to(std::uint64_t end) {
  std::vector<std::uint64_t> values(end);
  for (std::uint64_t i = 0; i < end; ++i) values[i] = i;
  return values;
}

/// Runs SQL on the fixture's store as someone with write access could, triggers off.
void tamper(const LogFixture& fixture, const std::string& statement) {
  if (!fixture.postgres) {
    ASSERT_EQ(testing::run_sql(fixture.database, statement), "");
    return;
  }
  auto connection = PgConnection::connect(*fixture.postgres);
  ASSERT_TRUE(connection.ok());
  const auto done = connection->execute_script("ALTER TABLE audit_tree_nodes DISABLE TRIGGER USER; " + statement +
                                               "; ALTER TABLE audit_tree_nodes ENABLE TRIGGER USER");
  ASSERT_TRUE(done.ok()) << done.error().message;
}

std::string problems_of(AuditStore& store, const LogFixture& fixture) {
  const auto report = verify_log(store, load_public_key(fixture.keys / public_key_file), {});
  if (!report) return "cannot verify: " + report.error().message;
  std::string text;
  for (const VerifyProblem& problem : report->problems) text += problem.description + "\n";
  return text;
}

TEST(TreeNodesTest, StoredLevelsAreTheMultiplesOfTheTileHeight) {
  MerkleFrontier frontier;
  std::vector<MerkleNode> nodes;
  for (std::uint64_t i = 0; i < 70'000; ++i) append_leaf(frontier, leaf_hash(as_bytes(std::to_string(i))), nodes);
  EXPECT_EQ(nodes.size(), stored_node_count(70'000));
  EXPECT_EQ(stored_node_count(70'000), 70'000U / 256 + 1);
  EXPECT_EQ(std::count_if(nodes.begin(), nodes.end(), [](const MerkleNode& node) { return node.level == 16; }), 1);
  EXPECT_TRUE(std::all_of(nodes.begin(), nodes.end(), [](const MerkleNode& node) { return is_stored_level(node.level); }));
  EXPECT_EQ(stored_node_count(255), 0U);
}

class TreeNodesOnEachBackend : public ::testing::TestWithParam<Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, TreeNodesOnEachBackend, pse::testing::kEachBackend, pse::testing::backend_name);

TEST_P(TreeNodesOnEachBackend, ProofsAreTheReferenceProofsForEveryEntryOfManyTreeSizes) {
  LogFixture fixture(GetParam());
  fixture.write(0, 1'100, 97);  // batches of 97 at most: nodes complete in the middle of batches
  auto store = fixture.read_store();
  const auto leaves = all_leaves(*store, 1'100);
  for (const std::uint64_t size : {1U, 2U, 3U, 5U, 8U, 255U, 256U, 257U, 300U, 511U, 512U, 513U, 767U, 768U, 1'024U, 1'099U,
                                   1'100U}) {
    SCOPED_TRACE("tree size " + std::to_string(size));
    expect_reference_proofs(*store, leaves, size, up_to(size), up_to(size + 1));
  }
}

TEST_P(TreeNodesOnEachBackend, AProofReadsAFewTilesHoweverLargeTheLog) {
  LogFixture fixture(GetParam());
  constexpr std::uint64_t entries = 65'536 + 3 * 256 + 77;  // levels 0, 8 and 16, and a ragged edge
  fixture.write(0, entries, 4'096);
  auto store = fixture.read_store();
  const auto leaves = all_leaves(*store, entries);
  std::mt19937_64 random(11);
  std::vector<std::uint64_t> seqs = {0, 1, 255, 256, 65'535, 65'536, 65'536 + 767, entries - 1};
  for (int i = 0; i < 24; ++i) seqs.push_back(random() % entries);
  std::vector<std::uint64_t> old_sizes = {1, 256, 257, 65'535, 65'536, 65'537, entries - 1, entries};
  for (int i = 0; i < 8; ++i) old_sizes.push_back(1 + random() % entries);
  for (const std::uint64_t size : {std::uint64_t{65'536}, std::uint64_t{65'537}, entries}) {
    SCOPED_TRACE("tree size " + std::to_string(size));
    std::vector<std::uint64_t> in_tree;
    std::copy_if(seqs.begin(), seqs.end(), std::back_inserter(in_tree), [&](std::uint64_t seq) { return seq < size; });
    std::vector<std::uint64_t> older;
    std::copy_if(old_sizes.begin(), old_sizes.end(), std::back_inserter(older), [&](std::uint64_t old) { return old <= size; });
    expect_reference_proofs(*store, leaves, size, in_tree, older);
  }

  // Per stored level (0, 8, 16): the tile under the entry and the tile at the right edge.
  CountingStore counting(*store);
  for (const std::uint64_t seq : seqs) {
    counting.hashes_read = 0;
    counting.reads = 0;
    ASSERT_TRUE(build_inclusion_proof(counting, seq, entries).ok());
    EXPECT_LE(counting.reads, 1U + 3 * 2) << seq;
    EXPECT_LE(counting.hashes_read, 1U + 3 * 2 * tile_width) << seq;
  }
  counting.hashes_read = 0;
  ASSERT_TRUE(build_consistency_proof(counting, 65'537, entries).ok());
  EXPECT_LE(counting.hashes_read, 3 * 2 * tile_width);
}

std::string node_table(const LogFixture& fixture) { return fixture.postgres ? "audit_tree_nodes" : "tree_nodes"; }

TEST_P(TreeNodesOnEachBackend, VerifyReportsAnAlteredNodeAndProofsOverItFail) {
  LogFixture fixture(GetParam());
  fixture.write(0, 600, 100);
  auto store = fixture.read_store();
  EXPECT_EQ(problems_of(*store, fixture), "");
  const std::string other_hash = fixture.postgres ? "decode(repeat('00', 32), 'hex')" : "zeroblob(32)";
  tamper(fixture, "UPDATE " + node_table(fixture) + " SET hash = " + other_hash + " WHERE level = 8 AND node_index = 1");
  const std::string problems = problems_of(*store, fixture);
  EXPECT_NE(problems.find("tree nodes: 1 do not match the recorded leaf hashes (altered), the first at level 8, "
                          "index 1 (entries 256 to 511)"),
            std::string::npos)
      << problems;
  const SignedTreeHead head = **store->latest_tree_head();
  const auto over = build_inclusion_proof(*store, 3, 600);  // node 1 is its sibling at level 8
  ASSERT_TRUE(over.ok());
  EXPECT_FALSE(verify_inclusion(3, 600, over->leaf_hash, over->path, head.root));
  const auto beside = build_inclusion_proof(*store, 300, 600);  // under node 1: never reads it
  ASSERT_TRUE(beside.ok());
  EXPECT_TRUE(verify_inclusion(300, 600, beside->leaf_hash, beside->path, head.root));
}

TEST_P(TreeNodesOnEachBackend, VerifyReportsADeletedOrAnAddedNodeAndProofsSayWhatIsMissing) {
  LogFixture fixture(GetParam());
  fixture.write(0, 600, 100);
  auto store = fixture.read_store();
  tamper(fixture, "DELETE FROM " + node_table(fixture) + " WHERE level = 8 AND node_index = 0");
  EXPECT_NE(problems_of(*store, fixture).find("tree nodes: 1 are missing (deleted), the first at level 8, index 0"),
            std::string::npos)
      << problems_of(*store, fixture);
  const auto proof = build_inclusion_proof(*store, 300, 600);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code, AuditErrorCode::corrupt);
  EXPECT_NE(proof.error().message.find("level 8, index 0 is missing"), std::string::npos) << proof.error().message;

  tamper(fixture, "INSERT INTO " + node_table(fixture) + " (level, node_index, hash) SELECT 8, 0, hash FROM " +
                      node_table(fixture) + " WHERE level = 8 AND node_index = 1");
  tamper(fixture, "INSERT INTO " + node_table(fixture) + " (level, node_index, hash) SELECT 3, 7, hash FROM " +
                      node_table(fixture) + " WHERE level = 8 AND node_index = 1");
  const std::string problems = problems_of(*store, fixture);
  EXPECT_NE(problems.find("tree nodes: 1 do not match"), std::string::npos) << problems;
  EXPECT_NE(problems.find("tree nodes: 1 rows are no node of the log's tree (added)"), std::string::npos) << problems;
}

TEST(TreeNodesTest, ProveUsesTheStoredNodesAndRefusesWhatTheyCannotProve) {
  LogFixture fixture;
  fixture.write(0, 600, 100);
  const std::string prove = "prove --db " + fixture.database.string() + " --seq 3";
  const auto before = testing::run_pse_audit(prove, fixture.dir.path());
  EXPECT_EQ(before.exit_code, 0) << before.err;
  tamper(fixture, "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 8 AND node_index = 1");
  const auto after = testing::run_pse_audit(prove, fixture.dir.path());
  EXPECT_EQ(after.exit_code, 1) << after.out;
  EXPECT_NE(after.err.find("does not match the signed tree head"), std::string::npos) << after.err;
  const auto verify =
      testing::run_pse_audit("verify --db " + fixture.database.string() + " --key-dir " + fixture.keys.string(),
                             fixture.dir.path());
  EXPECT_EQ(verify.exit_code, 1) << verify.out;
  EXPECT_NE(verify.out.find("TAMPERED\n  tree nodes: 1 do not match"), std::string::npos) << verify.out;
}

std::vector<std::string> node_rows(const LogFixture& fixture) {
  std::vector<std::string> rows;
  auto store = fixture.read_store();
  for (unsigned level = tile_height; level < 64; level += tile_height) {
    EXPECT_TRUE(store->read_tree_nodes(level, 0, UINT64_MAX, [&](const StoredNode& node) {
      rows.push_back(std::to_string(level) + "/" + std::to_string(node.index) + "/" + to_hex(node.hash));
      return true;
    }).ok());
  }
  return rows;
}

std::int64_t user_version(const LogFixture& fixture) {
  sqlite3* database = nullptr;
  EXPECT_EQ(sqlite3_open(fixture.database.c_str(), &database), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(database, "PRAGMA user_version", -1, &statement, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
  const std::int64_t version = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(database);
  return version;
}

TEST(TreeNodesTest, ALogOfSchemaVersionTwoIsProvedFromItsLeavesThenGetsItsNodesFromTheWriter) {
  LogFixture fixture;
  fixture.write(0, 1'100, 100);
  const auto written = node_rows(fixture);
  ASSERT_EQ(written.size(), stored_node_count(1'100));
  ASSERT_EQ(testing::run_sql(fixture.database, "DROP TABLE tree_nodes; ALTER TABLE audit_entries DROP COLUMN obligations; PRAGMA user_version = 2"), "");

  auto old_reader = fixture.read_store();
  EXPECT_FALSE(*old_reader->has_tree_nodes());
  const auto leaves = all_leaves(*old_reader, 1'100);
  expect_reference_proofs(*old_reader, leaves, 1'100, {0, 511, 512, 1'099}, {1, 512, 1'099});

  fixture.write(1'100, 200, 100);  // the writer upgrades the file, then appends
  EXPECT_EQ(user_version(fixture), 6);  // and on to the current version
  const auto upgraded = node_rows(fixture);
  EXPECT_EQ(std::vector(upgraded.begin(), upgraded.begin() + static_cast<std::ptrdiff_t>(written.size())), written);
  EXPECT_EQ(upgraded.size(), stored_node_count(1'300));
  auto reader = fixture.read_store();
  const auto all = all_leaves(*reader, 1'300);
  expect_reference_proofs(*reader, all, 1'300, {0, 511, 512, 1'099, 1'299}, {1, 512, 1'100, 1'299});
  EXPECT_EQ(problems_of(*reader, fixture), "");
}

TEST(PgTreeNodesTest, TheMigrationComputesTheNodesOfALogWrittenBeforeIt) {
  LogFixture fixture(Backend::postgresql);
  fixture.write(0, 1'100, 100);
  const auto written = node_rows(fixture);
  ASSERT_EQ(written.size(), stored_node_count(1'100));
  {
    // Back to the schema before step 4, which adds the nodes (and undoing the steps after it).
    auto connection = PgConnection::connect(*fixture.postgres);
    ASSERT_TRUE(connection.ok());
    ASSERT_TRUE(connection
                    ->execute_script("DROP TABLE audit_tree_nodes; DROP FUNCTION pse_audit_tree_nodes_present() CASCADE; "
                                     "ALTER TABLE queue_heads DROP COLUMN claimed_by; DROP TABLE exchange_claims, exchange_answers; "
                                     "ALTER TABLE audit_entries DROP COLUMN obligations; "
                                     "ALTER TABLE queue_deliveries DROP COLUMN priority; ALTER TABLE queue_heads DROP COLUMN priority; "
                                     "DROP TABLE audit_outbox; ALTER TABLE mandates DROP COLUMN granted_at; "
                                     "ALTER TABLE consent_revocations DROP COLUMN mandate_id; "
                                     "DROP INDEX mandates_by_mandator, mandates_by_mandatary; "
                                     "UPDATE pse_schema SET version = 3")
                    .ok());
  }
  fixture.write(1'100, 200, 100);  // a writer migrates, then appends
  const auto migrated = node_rows(fixture);
  EXPECT_EQ(std::vector(migrated.begin(), migrated.begin() + static_cast<std::ptrdiff_t>(written.size())), written);
  EXPECT_EQ(migrated.size(), stored_node_count(1'300));
  auto store = fixture.read_store();
  const auto leaves = all_leaves(*store, 1'300);
  expect_reference_proofs(*store, leaves, 1'300, {0, 511, 512, 1'099, 1'299}, {1, 512, 1'100, 1'299});
  EXPECT_EQ(problems_of(*store, fixture), "");
}

TEST(PgTreeNodesTest, TheLogsEndCannotMovePastAMissingNodeNorNodesChange) {
  LogFixture fixture(Backend::postgresql);
  fixture.write(0, 300, 100);
  auto connection = PgConnection::connect(*fixture.postgres);
  ASSERT_TRUE(connection.ok());
  // What a broker of the version before would do: entries and the end row, no nodes.
  const auto moved = connection->execute_script("UPDATE audit_log_end SET entry_count = 512");
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(moved.error().message.find("without its tree node at level 8"), std::string::npos) << moved.error().message;
  for (const char* statement : {"UPDATE audit_tree_nodes SET hash = hash", "DELETE FROM audit_tree_nodes",
                                "TRUNCATE audit_tree_nodes"}) {
    const auto changed = connection->execute_script(statement);
    ASSERT_FALSE(changed.ok()) << statement;
    EXPECT_NE(changed.error().message.find("append-only"), std::string::npos) << changed.error().message;
  }
}

}  // namespace
}  // namespace pse::audit

// Tampering with the real SQLite file, then running the real `pse-audit verify`: every kind of
// alteration is detected (exit 1) and the first bad sequence number is named.
//
// The log: 40 entries written in waves of 8. Group commit decides where the signed tree heads
// fall (at least one per wave), so the tests read the head sizes back instead of assuming them.
#include "audit_test_support.hpp"
#include "audit/sqlite_audit_store.hpp"

#include <gtest/gtest.h>

namespace pse::audit {
namespace {

using testing::LogFixture;
using testing::run_pse_audit;

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture_.write(0, 40, 8); }

  void sql(const std::string& statement) { ASSERT_EQ(testing::run_sql(fixture_.database, statement), ""); }

  /// Sizes of the stored tree heads, in the order they were issued.
  std::vector<std::uint64_t> head_sizes() {
    auto store = SqliteAuditStore::open(fixture_.database, SqliteAuditStore::Access::read_only);
    std::vector<std::uint64_t> sizes;
    EXPECT_TRUE((*store)->read_tree_heads([&](const StoredTreeHead& head) {
      sizes.push_back(head.head.tree_size);
      return true;
    }).ok());
    return sizes;
  }

  /// The largest head size not above `seq`: the end of what intact heads vouch for.
  std::uint64_t covered_before(std::uint64_t seq) {
    std::uint64_t covered = 0;
    for (const std::uint64_t size : head_sizes()) {
      if (size <= seq) covered = std::max(covered, size);
    }
    return covered;
  }

  testing::CommandResult verify(const std::string& extra = "") {
    return run_pse_audit("verify --db " + fixture_.database.string() + " --key-dir " + fixture_.keys.string() + " " + extra,
                         fixture_.dir.path());
  }

  void expect_tampered_at(std::uint64_t seq, const std::string& extra = "") {
    const auto result = verify(extra);
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.out.find("first bad sequence number " + std::to_string(seq) + "\n"), std::string::npos)
        << result.out;
  }

  LogFixture fixture_;
};

TEST_F(TamperTest, AnIntactLogVerifies) {
  const auto result = verify();
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("intact: 40 entries, " + std::to_string(head_sizes().size()) + " signed tree heads"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(result.err, "") << "no progress bar when stderr is not a terminal";
}

TEST_F(TamperTest, AnEditedRowIsNamed) {
  sql("UPDATE audit_entries SET consumer = 'intrus' WHERE seq = 13");
  expect_tampered_at(13);
}

TEST_F(TamperTest, AnEditedDecisionIsNamed) {
  sql("UPDATE audit_entries SET decision = 'allow', reason = '' WHERE seq = 6");
  expect_tampered_at(6);
}

TEST_F(TamperTest, AnEditedRowWithItsRecordedHashRecomputedIsStillCaught) {
  // The recorded leaf hash is only a hint: rewrite it for the edited content and the signed
  // tree head still disagrees; the first entry that head covers is named.
  sql("UPDATE audit_entries SET purpose = 'autre' WHERE seq = 21");
  {
    auto store = SqliteAuditStore::open(fixture_.database, SqliteAuditStore::Access::read_only);
    ASSERT_TRUE(store.ok());
    Hash forged{};
    ASSERT_TRUE((*store)->read_entries(21, 22, [&](const StoredEntry& stored) {
      forged = entry_leaf_hash(stored.entry);
      return false;
    }).ok());
    sql("UPDATE audit_entries SET leaf_hash = x'" + to_hex(forged) + "' WHERE seq = 21");
  }
  expect_tampered_at(covered_before(21));
}

TEST_F(TamperTest, ADeletedRowIsNamed) {
  sql("DELETE FROM audit_entries WHERE seq = 17");
  expect_tampered_at(17);
}

TEST_F(TamperTest, TwoSwappedRowsAreNamed) {
  // Exchange the sequence numbers of two rows (through a free one).
  sql("UPDATE audit_entries SET seq = 1000 WHERE seq = 10;"
      "UPDATE audit_entries SET seq = 10 WHERE seq = 11;"
      "UPDATE audit_entries SET seq = 11 WHERE seq = 1000;");
  expect_tampered_at(10);
}

TEST_F(TamperTest, TwoRowsWithSwappedContentsAreNamed) {
  const std::string columns = "time_us, request_id, consumer, provider, category, purpose, decision, reason, rule_id, "
                              "basis_type, basis, permitted_fields, payload_hash, subject_hash, leaf_hash";
  sql("CREATE TABLE saved AS SELECT * FROM audit_entries WHERE seq IN (25, 26);"
      "UPDATE audit_entries SET (" + columns + ") = (SELECT " + columns + " FROM saved WHERE saved.seq = 26) WHERE seq = 25;"
      "UPDATE audit_entries SET (" + columns + ") = (SELECT " + columns + " FROM saved WHERE saved.seq = 25) WHERE seq = 26;"
      "DROP TABLE saved;");
  expect_tampered_at(25);
}

TEST_F(TamperTest, ATruncatedLogIsNamed) {
  sql("DELETE FROM audit_entries WHERE seq >= 30");
  expect_tampered_at(30);
}

TEST_F(TamperTest, ATruncatedLogWithItsHeadsRemovedIsCaughtByAnExportedHead) {
  const auto head_file = fixture_.dir / "head.json";
  ASSERT_EQ(run_pse_audit("head --db " + fixture_.database.string() + " --out " + head_file.string(),
                          fixture_.dir.path()).exit_code, 0);
  const std::string cut = std::to_string(covered_before(24));
  sql("DELETE FROM audit_entries WHERE seq >= " + cut + "; DELETE FROM tree_heads WHERE tree_size > " + cut + ";");
  EXPECT_EQ(verify().exit_code, 0) << "without a head kept elsewhere, a clean cut is undetectable";
  expect_tampered_at(covered_before(24), "--head " + head_file.string());
}

TEST_F(TamperTest, ARowInsertedAtTheEndIsNamed) {
  sql("INSERT INTO audit_entries SELECT 40, time_us, request_id, 'intrus', provider, category, purpose, decision, "
      "reason, rule_id, basis_type, basis, permitted_fields, payload_hash, subject_hash, leaf_hash, obligations "
      "FROM audit_entries WHERE seq = 39");
  expect_tampered_at(40);
}

TEST_F(TamperTest, AReplacedTreeHeadRootIsNamed) {
  const auto sizes = head_sizes();
  const std::size_t middle = sizes.size() / 2;
  sql("UPDATE tree_heads SET root = randomblob(32) WHERE id = " + std::to_string(middle + 1));
  expect_tampered_at(sizes[middle - 1]);
}

TEST_F(TamperTest, AForgedLatestTreeHeadIsNamed) {
  const auto sizes = head_sizes();
  sql("UPDATE tree_heads SET signature = randomblob(64) WHERE id = " + std::to_string(sizes.size()));
  expect_tampered_at(sizes[sizes.size() - 2]);
}

TEST_F(TamperTest, ARemovedMiddleTreeHeadIsNamed) {
  const auto sizes = head_sizes();
  const std::size_t middle = sizes.size() / 2;
  sql("DELETE FROM tree_heads WHERE id = " + std::to_string(middle + 1));
  expect_tampered_at(sizes[middle - 1]);
}

TEST_F(TamperTest, AHeadFromAnotherKeyIsRejected) {
  // A complete, self-consistent forgery: entries rewritten and heads re-signed by another key.
  LogFixture forger;
  forger.write(0, 40, 8);
  std::filesystem::copy_file(forger.database, fixture_.database, std::filesystem::copy_options::overwrite_existing);
  expect_tampered_at(0);
}

TEST_F(TamperTest, AForgedExportedHeadIsRejected) {
  const auto head_file = fixture_.dir / "head.json";
  ASSERT_EQ(run_pse_audit("head --db " + fixture_.database.string() + " --out " + head_file.string(),
                          fixture_.dir.path()).exit_code, 0);
  std::ifstream in(head_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto root = text.find("\"root\":\"") + 8;
  text[root] = text[root] == '0' ? '1' : '0';
  std::ofstream(head_file, std::ios::trunc) << text;
  const auto result = verify("--head " + head_file.string());
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("not validly signed"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace pse::audit

// The rule's obligations recorded with each entry, in both stores: read back as written, bound
// into the leaf hash, and logs written before the column existed still read and verify, before
// and after a writer upgrades them.
#include "audit/log_verifier.hpp"
#include "store/pg_schema.hpp"

#include "audit_test_support.hpp"

#include <gtest/gtest.h>

namespace pse::audit {
namespace {

using pse::testing::Backend;
using testing::LogFixture;
using testing::sample_record;

const std::vector<std::string> kObligations = {"notify_subject", "no_onward_disclosure"};

// Every third allowed record carries obligations, as an exchange under such a rule would.
AuditRecord record_with_obligations(std::uint64_t i) {
  AuditRecord record = sample_record(i);
  if (record.decision == Decision::allow && i % 3 == 0) record.obligations = kObligations;
  return record;
}

void append(const LogFixture& fixture, std::uint64_t first, std::uint64_t count) {
  auto log = fixture.open_log();
  for (std::uint64_t i = first; i < first + count; ++i) ASSERT_TRUE(log->append(record_with_obligations(i)).get().ok());
}

std::vector<AuditEntry> all_entries(AuditStore& store) {
  std::vector<AuditEntry> entries;
  EXPECT_TRUE(store.query({}, [&](const StoredEntry& stored) {
    EXPECT_TRUE(stored.well_formed) << stored.entry.seq;
    entries.push_back(stored.entry);
    return true;
  }).ok());
  return entries;
}

std::string problems_of(AuditStore& store, const LogFixture& fixture) {
  const auto report = verify_log(store, load_public_key(fixture.keys / public_key_file), {});
  if (!report) return report.error().message;
  std::string problems;
  for (const auto& problem : report->problems) problems += problem.description + "\n";
  return problems;
}

// Entries [first, first + count) were written by record_with_obligations, or without any
// obligations when `before` (a log of the version before).
void expect_obligations(const std::vector<AuditEntry>& entries, std::uint64_t first, std::uint64_t count, bool before) {
  for (std::uint64_t i = first; i < first + count; ++i) {
    const AuditEntry& entry = entries.at(i);
    const auto expected = before ? std::vector<std::string>{} : record_with_obligations(i).obligations;
    EXPECT_EQ(entry.obligations, expected) << "seq " << i;
  }
}

class ObligationsOnEachBackend : public ::testing::TestWithParam<Backend> {};
INSTANTIATE_TEST_SUITE_P(Stores, ObligationsOnEachBackend, pse::testing::kEachBackend, pse::testing::backend_name);

TEST_P(ObligationsOnEachBackend, ReadBackAsWrittenAndTheLogVerifies) {
  LogFixture fixture(GetParam());
  append(fixture, 0, 30);
  auto store = fixture.read_store();
  const auto entries = all_entries(*store);
  ASSERT_EQ(entries.size(), 30U);
  expect_obligations(entries, 0, 30, false);
  EXPECT_EQ(entries[3].obligations, kObligations);
  EXPECT_EQ(problems_of(*store, fixture), "");
}

TEST(ObligationsTest, AnAlteredObligationIsCaughtByVerify) {
  LogFixture fixture;
  append(fixture, 0, 10);
  ASSERT_EQ(testing::run_sql(fixture.database, "UPDATE audit_entries SET obligations = 'notify_subject' WHERE seq = 3"), "");
  auto store = fixture.read_store();
  const auto report = verify_log(*store, load_public_key(fixture.keys / public_key_file), {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_bad_seq(), 3U);
}

TEST(ObligationsTest, ASqliteLogOfVersionFourReadsAndVerifiesThenTheWriterUpgradesIt) {
  LogFixture fixture;
  {
    auto log = fixture.open_log();
    for (std::uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(log->append(sample_record(i)).get().ok());
  }
  // Back to version 4: no obligations column.
  ASSERT_EQ(testing::run_sql(fixture.database,
                             "ALTER TABLE audit_entries DROP COLUMN obligations; PRAGMA user_version = 4"),
            "");
  auto early_reader = fixture.read_store();  // opened before the upgrade, read after it
  {
    auto old_reader = fixture.read_store();
    const auto entries = all_entries(*old_reader);
    ASSERT_EQ(entries.size(), 20U);
    expect_obligations(entries, 0, 20, true);
    EXPECT_EQ(problems_of(*old_reader, fixture), "");
  }

  append(fixture, 20, 10);  // the writer upgrades the file, then appends
  auto reader = fixture.read_store();
  const auto entries = all_entries(*reader);
  ASSERT_EQ(entries.size(), 30U);
  expect_obligations(entries, 0, 20, true);
  expect_obligations(entries, 20, 10, false);
  EXPECT_EQ(entries[21].obligations, kObligations);
  EXPECT_EQ(problems_of(*reader, fixture), "");
  EXPECT_EQ(all_entries(*early_reader)[21].obligations, kObligations);
  EXPECT_EQ(problems_of(*early_reader, fixture), "");
}

TEST(PgObligationsTest, ALogWrittenBeforeTheMigrationReadsAndVerifiesThenTheWriterMigratesIt) {
  LogFixture fixture(Backend::postgresql);
  {
    auto log = fixture.open_log();
    for (std::uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(log->append(sample_record(i)).get().ok());
  }
  {
    // Back to the schema before step 8 (and undoing the steps after it).
    auto connection = PgConnection::connect(*fixture.postgres);
    ASSERT_TRUE(connection.ok());
    ASSERT_TRUE(connection
                    ->execute_script("ALTER TABLE audit_entries DROP COLUMN obligations; "
                                     "ALTER TABLE queue_deliveries DROP COLUMN priority; "
                                     "ALTER TABLE queue_heads DROP COLUMN priority; DROP TABLE audit_outbox; "
                                     "ALTER TABLE mandates DROP COLUMN granted_at; "
                                     "ALTER TABLE consent_revocations DROP COLUMN mandate_id; "
                                     "DROP INDEX mandates_by_mandator, mandates_by_mandatary; "
                                     "UPDATE pse_schema SET version = 7")
                    .ok());
  }
  {
    auto old_reader = PgAuditStore::open(*fixture.postgres, PgAuditStore::Access::read_only);
    ASSERT_TRUE(old_reader.ok()) << old_reader.error().message;
    const auto entries = all_entries(**old_reader);
    ASSERT_EQ(entries.size(), 20U);
    expect_obligations(entries, 0, 20, true);
    EXPECT_EQ(problems_of(**old_reader, fixture), "");
  }

  append(fixture, 20, 10);  // a writer migrates, then appends
  auto reader = PgAuditStore::open(*fixture.postgres, PgAuditStore::Access::read_only);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  const auto entries = all_entries(**reader);
  ASSERT_EQ(entries.size(), 30U);
  expect_obligations(entries, 0, 20, true);
  expect_obligations(entries, 20, 10, false);
  EXPECT_EQ(entries[21].obligations, kObligations);
  EXPECT_EQ(problems_of(**reader, fixture), "");
}

}  // namespace
}  // namespace pse::audit

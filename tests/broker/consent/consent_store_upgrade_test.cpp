// A consents.db written before the schema had a version (version 1) is brought to the current
// one when a broker opens it, keeping every record; a file of a newer version is refused.
#include "base/config_error.hpp"
#include "broker/consent/sqlite_consent_store.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace pse::consent {
namespace {

// The tables as version 1 made them (without their triggers), and one record of each kind.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE consents (id TEXT PRIMARY KEY, schema_version INTEGER NOT NULL, subject_hash BLOB NOT NULL,
  given_by TEXT NOT NULL, mandate_id TEXT NOT NULL, relationship TEXT NOT NULL, provider TEXT NOT NULL,
  consumer TEXT NOT NULL, categories TEXT NOT NULL, purpose_code TEXT NOT NULL, purpose_fr TEXT NOT NULL,
  purpose_en TEXT NOT NULL, notice_reference TEXT NOT NULL, notice_version TEXT NOT NULL,
  notice_language TEXT NOT NULL, collection_method TEXT NOT NULL, granted_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, previous_id TEXT UNIQUE REFERENCES consents(id), recorded_by TEXT NOT NULL);
CREATE TABLE consent_revocations (consent_id TEXT PRIMARY KEY REFERENCES consents(id),
  revoked_at INTEGER NOT NULL, method TEXT NOT NULL, recorded_by TEXT NOT NULL);
CREATE TABLE mandates (id TEXT PRIMARY KEY, mandator_hash BLOB NOT NULL, mandatary_hash BLOB NOT NULL,
  categories TEXT NOT NULL, purposes TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,
  recorded_by TEXT NOT NULL);
CREATE TABLE mandate_revocations (mandate_id TEXT PRIMARY KEY REFERENCES mandates(id),
  revoked_at INTEGER NOT NULL, method TEXT NOT NULL, recorded_by TEXT NOT NULL);
INSERT INTO consents VALUES ('cns_old', 1, zeroblob(32), 'subject', '', '', 'etat-civil', 'retraite-quebec',
  'identity.birth', 'pension.eligibility', 'fr', 'en', 'AVIS', '1', 'fr', 'web-form', 100, 200, NULL, 'services-quebec');
INSERT INTO consent_revocations VALUES ('cns_old', 150, 'phone', 'services-quebec');
INSERT INTO mandates VALUES ('mdt_old', zeroblob(32), randomblob(32), 'identity.birth', 'pension.eligibility',
  100, 200, 'services-quebec');
)sql";

void write(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(ConsentStoreUpgrade, AVersion1FileKeepsItsRecordsAndGainsTheNewColumns) {
  testing::TempDir dir;
  const auto file = dir.path() / "consents.db";
  write(file, kVersion1);
  for (int open = 0; open < 2; ++open) {  // the second open finds nothing to do
    SqliteConsentStore store(file);
    auto consent = store.consent("cns_old");
    ASSERT_TRUE(consent && consent->has_value());
    ASSERT_TRUE((*consent)->revoked_at.has_value());
    EXPECT_EQ((*consent)->revocation_method, "phone");
    EXPECT_TRUE((*consent)->revoked_through.empty()) << "revoked by the subject, as every revocation of before";
    auto mandates = store.mandates_of(SubjectHash{});
    ASSERT_TRUE(mandates) << mandates.error().message;
    ASSERT_EQ(mandates->size(), 1u);
    EXPECT_EQ(mandates->front().id, "mdt_old");
    EXPECT_FALSE(mandates->front().granted_at.has_value()) << "version 1 did not keep it";
  }
  SqliteConsentStore store(file);
  Mandate fresh;
  fresh.id = "mdt_new";
  fresh.mandator = SubjectHash{1};
  fresh.categories = {"identity.birth"};
  fresh.purposes = {"pension.eligibility"};
  fresh.granted_at = instant_from_seconds(120);
  ASSERT_TRUE(store.insert_mandate(fresh));
  ASSERT_EQ(store.mandates_of(SubjectHash{1})->size(), 1u);
  EXPECT_EQ(store.mandates_of(SubjectHash{1})->front().granted_at, instant_from_seconds(120));
}

TEST(ConsentStoreUpgrade, AFileOfANewerVersionIsRefused) {
  testing::TempDir dir;
  const auto file = dir.path() / "consents.db";
  write(file, "PRAGMA user_version=99");
  EXPECT_THROW(SqliteConsentStore{file}, ConfigError);
}

}  // namespace
}  // namespace pse::consent

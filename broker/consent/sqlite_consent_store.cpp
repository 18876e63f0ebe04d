#include "broker/consent/sqlite_consent_store.hpp"

#include "base/config_error.hpp"


namespace pse::consent {
namespace {

// PRAGMA user_version. Files made before it was kept say 0 and hold kSchema's tables (version
// 1); kSchema creates only what is missing, so one path brings both to the current version.
// 2: a mandate's recording time, the mandate under which a mandatary revoked a consent, and
//    mandates found by either party (GET /v1/subjects/{subject}/mandates).
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS consents (
  id TEXT PRIMARY KEY,
  schema_version INTEGER NOT NULL,
  subject_hash BLOB NOT NULL,
  given_by TEXT NOT NULL,
  mandate_id TEXT NOT NULL,
  relationship TEXT NOT NULL,
  provider TEXT NOT NULL,
  consumer TEXT NOT NULL,
  categories TEXT NOT NULL,
  purpose_code TEXT NOT NULL,
  purpose_fr TEXT NOT NULL,
  purpose_en TEXT NOT NULL,
  notice_reference TEXT NOT NULL,
  notice_version TEXT NOT NULL,
  notice_language TEXT NOT NULL,
  collection_method TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  previous_id TEXT UNIQUE REFERENCES consents(id),
  recorded_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consents_by_subject ON consents(subject_hash);
CREATE TABLE IF NOT EXISTS consent_revocations (
  consent_id TEXT PRIMARY KEY REFERENCES consents(id),
  revoked_at INTEGER NOT NULL,
  method TEXT NOT NULL,
  recorded_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mandates (
  id TEXT PRIMARY KEY,
  mandator_hash BLOB NOT NULL,
  mandatary_hash BLOB NOT NULL,
  categories TEXT NOT NULL,
  purposes TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  recorded_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mandate_revocations (
  mandate_id TEXT PRIMARY KEY REFERENCES mandates(id),
  revoked_at INTEGER NOT NULL,
  method TEXT NOT NULL,
  recorded_by TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS consents_append_only_u BEFORE UPDATE ON consents
  BEGIN SELECT RAISE(ABORT, 'consents are append-only'); END;
CREATE TRIGGER IF NOT EXISTS consents_append_only_d BEFORE DELETE ON consents
  BEGIN SELECT RAISE(ABORT, 'consents are append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_revocations_append_only_u BEFORE UPDATE ON consent_revocations
  BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_revocations_append_only_d BEFORE DELETE ON consent_revocations
  BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
CREATE TRIGGER IF NOT EXISTS mandates_append_only_u BEFORE UPDATE ON mandates
  BEGIN SELECT RAISE(ABORT, 'mandates are append-only'); END;
CREATE TRIGGER IF NOT EXISTS mandates_append_only_d BEFORE DELETE ON mandates
  BEGIN SELECT RAISE(ABORT, 'mandates are append-only'); END;
CREATE TRIGGER IF NOT EXISTS mandate_revocations_append_only_u BEFORE UPDATE ON mandate_revocations
  BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
CREATE TRIGGER IF NOT EXISTS mandate_revocations_append_only_d BEFORE DELETE ON mandate_revocations
  BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;
)sql";

// Columns added with a constant default or none: SQLite changes no row, so no append-only
// trigger fires. Rows of before have no recording time (NULL) and were revoked by the subject.
constexpr const char* kUpgradeTo2 = R"sql(
ALTER TABLE mandates ADD COLUMN granted_at INTEGER;
ALTER TABLE consent_revocations ADD COLUMN mandate_id TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS mandates_by_mandator ON mandates(mandator_hash);
CREATE INDEX IF NOT EXISTS mandates_by_mandatary ON mandates(mandatary_hash);
)sql";

constexpr const char* kConsentColumns =
    "c.id, c.schema_version, c.subject_hash, c.given_by, c.mandate_id, c.relationship, c.provider, "
    "c.consumer, c.categories, c.purpose_code, c.purpose_fr, c.purpose_en, c.notice_reference, "
    "c.notice_version, c.notice_language, c.collection_method, c.granted_at, c.expires_at, "
    "c.previous_id, c.recorded_by, r.revoked_at, r.method, n.id, r.mandate_id";

constexpr const char* kConsentJoins =
    " FROM consents c LEFT JOIN consent_revocations r ON r.consent_id = c.id"
    " LEFT JOIN consents n ON n.previous_id = c.id";

Error store_error(const SqliteError& error) { return make_error(Reason::internal_error, error.message); }

SubjectHash subject_hash(const pse::SqliteStatement& row, int column) {
  return row.hash(column).value_or(SubjectHash{});
}

Consent consent_from_row(const pse::SqliteStatement& row) {
  Consent c;
  c.id = row.text(0);
  c.schema_version = static_cast<int>(row.integer(1));
  c.subject = subject_hash(row, 2);
  c.given_by.kind = giver_kind_from_string(row.text(3)).value_or(GiverKind::subject);
  c.given_by.mandate_id = row.text(4);
  c.given_by.relationship = row.text(5);
  c.provider = row.text(6);
  c.consumer = row.text(7);
  c.categories = split_list(row.text(8));
  c.purpose = {row.text(9), row.text(10), row.text(11)};
  c.notice = {row.text(12), row.text(13), row.text(14)};
  c.collection_method = row.text(15);
  c.granted_at = instant_from_seconds(row.integer(16));
  c.expires_at = instant_from_seconds(row.integer(17));
  c.previous_id = row.is_null(18) ? std::string() : row.text(18);
  c.recorded_by = row.text(19);
  if (!row.is_null(20)) {
    c.revoked_at = instant_from_seconds(row.integer(20));
    c.revocation_method = row.text(21);
  }
  if (!row.is_null(22)) c.superseded_by = row.text(22);
  if (!row.is_null(23)) c.revoked_through = row.text(23);
  return c;
}

Mandate mandate_from_row(const pse::SqliteStatement& row) {
  Mandate m;
  m.id = row.text(0);
  m.mandator = subject_hash(row, 1);
  m.mandatary = subject_hash(row, 2);
  m.categories = split_list(row.text(3));
  m.purposes = split_list(row.text(4));
  m.valid_from = instant_from_seconds(row.integer(5));
  m.valid_until = instant_from_seconds(row.integer(6));
  m.recorded_by = row.text(7);
  if (!row.is_null(8)) {
    m.revoked_at = instant_from_seconds(row.integer(8));
    m.revocation_method = row.text(9);
  }
  if (!row.is_null(10)) m.granted_at = instant_from_seconds(row.integer(10));
  return m;
}

constexpr const char* kMandateSelect =
    "SELECT m.id, m.mandator_hash, m.mandatary_hash, m.categories, m.purposes, m.valid_from, "
    "m.valid_until, m.recorded_by, r.revoked_at, r.method, m.granted_at FROM mandates m "
    "LEFT JOIN mandate_revocations r ON r.mandate_id = m.id";

}  // namespace

SqliteConsentStore::SqliteConsentStore(const std::filesystem::path& file) : file_(file) {
  auto opened = pse::SqliteDatabase::open(file, pse::SqliteDatabase::Mode::read_write_create);
  if (!opened) throw ConfigError(file, 0, opened.error().message);
  database_ = std::make_unique<pse::SqliteDatabase>(std::move(opened.value()));
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (auto status = database_->execute(pragma); !status) throw ConfigError(file, 0, status.error().message);
  }
  upgrade(file);
}

// In one transaction: a file is at one version or the next, never between.
void SqliteConsentStore::upgrade(const std::filesystem::path& file) {
  std::int64_t found = 0;
  {  // the statement is finalised before the transaction begins
    auto version = database_->prepare("PRAGMA user_version");
    if (!version) throw ConfigError(file, 0, version.error().message);
    if (auto row = version->step(); !row || !*row) throw ConfigError(file, 0, "cannot read the schema version");
    found = version->integer(0);
  }
  if (found > kSchemaVersion) {
    throw ConfigError(file, 0, "consent schema version " + std::to_string(found) + " is newer than this program (" +
                                   std::to_string(kSchemaVersion) + ")");
  }
  if (found == kSchemaVersion) return;
  const std::string script = std::string("BEGIN IMMEDIATE;") + kSchema + kUpgradeTo2 +
                             "PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";COMMIT;";
  if (auto status = database_->execute(script); !status) {
    (void)database_->execute("ROLLBACK");
    throw ConfigError(file, 0, status.error().message);
  }
}

Status SqliteConsentStore::run(const std::string& sql, const std::function<void(pse::SqliteStatement&)>& bind) {
  std::lock_guard lock(mutex_);
  auto statement = database_->prepare(sql);
  if (!statement) return store_error(statement.error());
  bind(*statement);
  if (auto status = statement->run(); !status) return store_error(status.error());
  return Done{};
}

Status SqliteConsentStore::insert_consent(const Consent& c) {
  return run(
      "INSERT INTO consents VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
      [&](pse::SqliteStatement& s) {
        s.bind(1, c.id);
        s.bind(2, std::int64_t{c.schema_version});
        s.bind_blob(3, c.subject);
        s.bind(4, to_string(c.given_by.kind));
        s.bind(5, c.given_by.mandate_id);
        s.bind(6, c.given_by.relationship);
        s.bind(7, c.provider);
        s.bind(8, c.consumer);
        s.bind(9, join_list(c.categories));
        s.bind(10, c.purpose.code);
        s.bind(11, c.purpose.text_fr);
        s.bind(12, c.purpose.text_en);
        s.bind(13, c.notice.reference);
        s.bind(14, c.notice.version);
        s.bind(15, c.notice.language);
        s.bind(16, c.collection_method);
        s.bind(17, epoch_seconds(c.granted_at));
        s.bind(18, epoch_seconds(c.expires_at));
        if (c.previous_id.empty()) {
          s.bind_null(19);
        } else {
          s.bind(19, c.previous_id);
        }
        s.bind(20, c.recorded_by);
      });
}

Status SqliteConsentStore::insert_consent_revocation(const Revocation& r) {
  return run("INSERT INTO consent_revocations (consent_id, revoked_at, method, recorded_by, mandate_id) "
             "VALUES (?1, ?2, ?3, ?4, ?5)",
             [&](pse::SqliteStatement& s) {
               s.bind(1, r.record_id);
               s.bind(2, epoch_seconds(r.revoked_at));
               s.bind(3, r.method);
               s.bind(4, r.recorded_by);
               s.bind(5, r.mandate_id);
             });
}

Status SqliteConsentStore::insert_mandate(const Mandate& m) {
  return run("INSERT INTO mandates (id, mandator_hash, mandatary_hash, categories, purposes, valid_from, "
             "valid_until, recorded_by, granted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
             [&](pse::SqliteStatement& s) {
               s.bind(1, m.id);
               s.bind_blob(2, m.mandator);
               s.bind_blob(3, m.mandatary);
               s.bind(4, join_list(m.categories));
               s.bind(5, join_list(m.purposes));
               s.bind(6, epoch_seconds(m.valid_from));
               s.bind(7, epoch_seconds(m.valid_until));
               s.bind(8, m.recorded_by);
               if (m.granted_at) {
                 s.bind(9, epoch_seconds(*m.granted_at));
               } else {
                 s.bind_null(9);
               }
             });
}

Status SqliteConsentStore::insert_mandate_revocation(const Revocation& r) {
  return run("INSERT INTO mandate_revocations (mandate_id, revoked_at, method, recorded_by) VALUES (?1, ?2, ?3, ?4)",
             [&](pse::SqliteStatement& s) {
               s.bind(1, r.record_id);
               s.bind(2, epoch_seconds(r.revoked_at));
               s.bind(3, r.method);
               s.bind(4, r.recorded_by);
             });
}

Result<std::vector<Consent>> SqliteConsentStore::select_consents(
    const std::string& where, const std::function<void(pse::SqliteStatement&)>& bind) {
  std::lock_guard lock(mutex_);
  auto statement = database_->prepare(std::string("SELECT ") + kConsentColumns + kConsentJoins + where);
  if (!statement) return store_error(statement.error());
  bind(*statement);
  std::vector<Consent> consents;
  while (true) {
    auto row = statement->step();
    if (!row) return store_error(row.error());
    if (!*row) break;
    consents.push_back(consent_from_row(*statement));
  }
  return consents;
}

Result<std::optional<Consent>> SqliteConsentStore::consent(std::string_view id) {
  auto found = select_consents(" WHERE c.id = ?1", [&](pse::SqliteStatement& s) { s.bind(1, id); });
  if (!found) return found.error();
  if (found->empty()) return std::optional<Consent>();
  return std::optional<Consent>(std::move(found->front()));
}

Result<std::vector<Consent>> SqliteConsentStore::consents_of(const SubjectHash& subject) {
  return select_consents(" WHERE c.subject_hash = ?1 ORDER BY c.rowid",
                         [&](pse::SqliteStatement& s) { s.bind_blob(1, subject); });
}

Result<std::optional<Mandate>> SqliteConsentStore::mandate(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto statement = database_->prepare(std::string(kMandateSelect) + " WHERE m.id = ?1");
  if (!statement) return store_error(statement.error());
  statement->bind(1, id);
  auto row = statement->step();
  if (!row) return store_error(row.error());
  if (!*row) return std::optional<Mandate>();
  return std::optional<Mandate>(mandate_from_row(*statement));
}

Result<std::vector<Mandate>> SqliteConsentStore::mandates_of(const SubjectHash& subject) {
  std::lock_guard lock(mutex_);
  auto statement = database_->prepare(std::string(kMandateSelect) +
                                      " WHERE m.mandator_hash = ?1 OR m.mandatary_hash = ?1 ORDER BY m.valid_from, m.id");
  if (!statement) return store_error(statement.error());
  statement->bind_blob(1, subject);
  std::vector<Mandate> mandates;
  while (true) {
    auto row = statement->step();
    if (!row) return store_error(row.error());
    if (!*row) break;
    mandates.push_back(mandate_from_row(*statement));
  }
  return mandates;
}

Status SqliteConsentStore::load_current(const std::function<void(const Mandate&)>& on_mandate,
                                        const std::function<void(const Consent&)>& on_consent) {
  std::lock_guard lock(mutex_);
  auto mandates = database_->prepare(kMandateSelect);
  if (!mandates) return store_error(mandates.error());
  while (true) {
    auto row = mandates->step();
    if (!row) return store_error(row.error());
    if (!*row) break;
    on_mandate(mandate_from_row(*mandates));
  }
  auto consents = database_->prepare(std::string("SELECT ") + kConsentColumns + kConsentJoins +
                                     " WHERE n.id IS NULL ORDER BY c.rowid");
  if (!consents) return store_error(consents.error());
  while (true) {
    auto row = consents->step();
    if (!row) return store_error(row.error());
    if (!*row) break;
    on_consent(consent_from_row(*consents));
  }
  return Done{};
}

}  // namespace pse::consent

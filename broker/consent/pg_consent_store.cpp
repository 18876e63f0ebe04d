#include "broker/consent/pg_consent_store.hpp"

#include "base/config_error.hpp"
#include "store/pg_schema.hpp"

namespace pse::consent {
namespace {

constexpr std::string_view kConsentSelect =
    "SELECT c.id, c.schema_version, c.subject_hash, c.given_by, c.mandate_id, c.relationship, c.provider, "
    "c.consumer, c.categories, c.purpose_code, c.purpose_fr, c.purpose_en, c.notice_reference, "
    "c.notice_version, c.notice_language, c.collection_method, c.granted_at, c.expires_at, "
    "c.previous_id, c.recorded_by, r.revoked_at, r.method, n.id, r.mandate_id"
    " FROM consents c LEFT JOIN consent_revocations r ON r.consent_id = c.id"
    " LEFT JOIN consents n ON n.previous_id = c.id";

constexpr std::string_view kMandateSelect =
    "SELECT m.id, m.mandator_hash, m.mandatary_hash, m.categories, m.purposes, m.valid_from, "
    "m.valid_until, m.recorded_by, r.revoked_at, r.method, m.granted_at FROM mandates m "
    "LEFT JOIN mandate_revocations r ON r.mandate_id = m.id";

Error store_error(const PgError& error) {
  return make_error(error.connection_lost ? Reason::store_unavailable : Reason::internal_error, error.message);
}

std::string text(const PgRows& rows, int row, int column) { return std::string(rows.text(row, column)); }

Consent consent_from_row(const PgRows& rows, int row) {
  Consent c;
  c.id = text(rows, row, 0);
  c.schema_version = static_cast<int>(rows.integer(row, 1));
  c.subject = rows.hash(row, 2).value_or(SubjectHash{});
  c.given_by.kind = giver_kind_from_string(rows.text(row, 3)).value_or(GiverKind::subject);
  c.given_by.mandate_id = text(rows, row, 4);
  c.given_by.relationship = text(rows, row, 5);
  c.provider = text(rows, row, 6);
  c.consumer = text(rows, row, 7);
  c.categories = split_list(rows.text(row, 8));
  c.purpose = {text(rows, row, 9), text(rows, row, 10), text(rows, row, 11)};
  c.notice = {text(rows, row, 12), text(rows, row, 13), text(rows, row, 14)};
  c.collection_method = text(rows, row, 15);
  c.granted_at = instant_from_seconds(rows.integer(row, 16));
  c.expires_at = instant_from_seconds(rows.integer(row, 17));
  c.previous_id = rows.is_null(row, 18) ? std::string() : text(rows, row, 18);
  c.recorded_by = text(rows, row, 19);
  if (!rows.is_null(row, 20)) {
    c.revoked_at = instant_from_seconds(rows.integer(row, 20));
    c.revocation_method = text(rows, row, 21);
  }
  if (!rows.is_null(row, 22)) c.superseded_by = text(rows, row, 22);
  if (!rows.is_null(row, 23)) c.revoked_through = text(rows, row, 23);
  return c;
}

Mandate mandate_from_row(const PgRows& rows, int row) {
  Mandate m;
  m.id = text(rows, row, 0);
  m.mandator = rows.hash(row, 1).value_or(SubjectHash{});
  m.mandatary = rows.hash(row, 2).value_or(SubjectHash{});
  m.categories = split_list(rows.text(row, 3));
  m.purposes = split_list(rows.text(row, 4));
  m.valid_from = instant_from_seconds(rows.integer(row, 5));
  m.valid_until = instant_from_seconds(rows.integer(row, 6));
  m.recorded_by = text(rows, row, 7);
  if (!rows.is_null(row, 8)) {
    m.revoked_at = instant_from_seconds(rows.integer(row, 8));
    m.revocation_method = text(rows, row, 9);
  }
  if (!rows.is_null(row, 10)) m.granted_at = instant_from_seconds(rows.integer(row, 10));
  return m;
}


}  // namespace

PgConsentStore::PgConsentStore(const PgConnectOptions& options)
    : connection_(store::connect_migrated_or_throw(options)) {}

Result<PgRows> PgConsentStore::run(std::string_view sql, const PgParams& params) {
  // Called with mutex_ held. A connection lost earlier is opened again first.
  if (!connection_.is_open()) {
    if (auto reconnected = connection_.reconnect(); !reconnected) return store_error(reconnected.error());
  }
  auto rows = connection_.query(sql, params);
  if (!rows) return store_error(rows.error());
  return std::move(rows).value();
}

Status PgConsentStore::insert_consent(const Consent& c) {
  std::lock_guard lock(mutex_);
  PgParams params;
  params.text(c.id)
      .integer(c.schema_version)
      .bytes(c.subject)
      .text(to_string(c.given_by.kind))
      .text(c.given_by.mandate_id)
      .text(c.given_by.relationship)
      .text(c.provider)
      .text(c.consumer)
      .text(join_list(c.categories))
      .text(c.purpose.code)
      .text(c.purpose.text_fr)
      .text(c.purpose.text_en)
      .text(c.notice.reference)
      .text(c.notice.version)
      .text(c.notice.language)
      .text(c.collection_method)
      .integer(epoch_seconds(c.granted_at))
      .integer(epoch_seconds(c.expires_at));
  if (c.previous_id.empty()) {
    params.null();
  } else {
    params.text(c.previous_id);
  }
  params.text(c.recorded_by);
  auto inserted = run(
      "INSERT INTO consents (id, schema_version, subject_hash, given_by, mandate_id, relationship, provider, "
      "consumer, categories, purpose_code, purpose_fr, purpose_en, notice_reference, notice_version, "
      "notice_language, collection_method, granted_at, expires_at, previous_id, recorded_by) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
      params);
  if (!inserted) return inserted.error();
  return Done{};
}

Status PgConsentStore::insert_consent_revocation(const Revocation& r) {
  std::lock_guard lock(mutex_);
  auto inserted = run(
      "INSERT INTO consent_revocations (consent_id, revoked_at, method, recorded_by, mandate_id) VALUES ($1,$2,$3,$4,$5)",
      PgParams()
          .text(r.record_id)
          .integer(epoch_seconds(r.revoked_at))
          .text(r.method)
          .text(r.recorded_by)
          .text(r.mandate_id));
  if (!inserted) return inserted.error();
  return Done{};
}

Status PgConsentStore::insert_mandate(const Mandate& m) {
  std::lock_guard lock(mutex_);
  PgParams params;
  params.text(m.id)
      .bytes(m.mandator)
      .bytes(m.mandatary)
      .text(join_list(m.categories))
      .text(join_list(m.purposes))
      .integer(epoch_seconds(m.valid_from))
      .integer(epoch_seconds(m.valid_until))
      .text(m.recorded_by);
  if (m.granted_at) {
    params.integer(epoch_seconds(*m.granted_at));
  } else {
    params.null();
  }
  auto inserted = run(
      "INSERT INTO mandates (id, mandator_hash, mandatary_hash, categories, purposes, valid_from, valid_until, "
      "recorded_by, granted_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
      params);
  if (!inserted) return inserted.error();
  return Done{};
}

Status PgConsentStore::insert_mandate_revocation(const Revocation& r) {
  std::lock_guard lock(mutex_);
  auto inserted = run("INSERT INTO mandate_revocations (mandate_id, revoked_at, method, recorded_by) VALUES ($1,$2,$3,$4)",
                      PgParams().text(r.record_id).integer(epoch_seconds(r.revoked_at)).text(r.method).text(r.recorded_by));
  if (!inserted) return inserted.error();
  return Done{};
}

Result<std::optional<Consent>> PgConsentStore::consent(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto rows = run(std::string(kConsentSelect) + " WHERE c.id = $1", PgParams().text(id));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Consent>();
  return std::optional<Consent>(consent_from_row(*rows, 0));
}

Result<std::vector<Consent>> PgConsentStore::consents_of(const SubjectHash& subject) {
  std::lock_guard lock(mutex_);
  auto rows = run(std::string(kConsentSelect) + " WHERE c.subject_hash = $1 ORDER BY c.recorded_seq",
                  PgParams().bytes(subject));
  if (!rows) return rows.error();
  std::vector<Consent> consents;
  for (int row = 0; row < rows->size(); ++row) consents.push_back(consent_from_row(*rows, row));
  return consents;
}

Result<std::optional<Mandate>> PgConsentStore::mandate(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto rows = run(std::string(kMandateSelect) + " WHERE m.id = $1", PgParams().text(id));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Mandate>();
  return std::optional<Mandate>(mandate_from_row(*rows, 0));
}

Result<std::vector<Mandate>> PgConsentStore::mandates_of(const SubjectHash& subject) {
  std::lock_guard lock(mutex_);
  auto rows = run(std::string(kMandateSelect) +
                      " WHERE m.mandator_hash = $1 OR m.mandatary_hash = $1 ORDER BY m.valid_from, m.id",
                  PgParams().bytes(subject));
  if (!rows) return rows.error();
  std::vector<Mandate> mandates;
  for (int row = 0; row < rows->size(); ++row) mandates.push_back(mandate_from_row(*rows, row));
  return mandates;
}

Status PgConsentStore::load_current(const std::function<void(const Mandate&)>& on_mandate,
                                    const std::function<void(const Consent&)>& on_consent) {
  std::lock_guard lock(mutex_);
  auto mandates = run(kMandateSelect, {});
  if (!mandates) return mandates.error();
  for (int row = 0; row < mandates->size(); ++row) on_mandate(mandate_from_row(*mandates, row));
  auto consents = run(std::string(kConsentSelect) + " WHERE n.id IS NULL ORDER BY c.recorded_seq", {});
  if (!consents) return consents.error();
  for (int row = 0; row < consents->size(); ++row) on_consent(consent_from_row(*consents, row));
  return Done{};
}

}  // namespace pse::consent

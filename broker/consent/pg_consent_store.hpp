// The consent store on PostgreSQL (store/pg_schema.cpp): the same append-only tables as the
// SQLite store, shared by every broker of the hub. Writes are durable when they return
// (synchronous_commit on); append-only is enforced by triggers.
//
// One connection, used by one caller at a time; a lost connection is opened again on the next
// call, and the call that found it lost fails with store_unavailable (503).
#pragma once

#include "base/postgres.hpp"
#include "broker/consent/consent_store.hpp"

#include <mutex>

namespace pse::consent {

class PgConsentStore final : public ConsentStore {
 public:
  /// Connects and brings the schema up to date. Throws ConfigError when it cannot.
  explicit PgConsentStore(const PgConnectOptions& options);

  Status insert_consent(const Consent& consent) override;
  Status insert_consent_revocation(const Revocation& revocation) override;
  Status insert_mandate(const Mandate& mandate) override;
  Status insert_mandate_revocation(const Revocation& revocation) override;
  Result<std::optional<Consent>> consent(std::string_view id) override;
  Result<std::vector<Consent>> consents_of(const SubjectHash& subject) override;
  Result<std::optional<Mandate>> mandate(std::string_view id) override;
  Result<std::vector<Mandate>> mandates_of(const SubjectHash& subject) override;
  Status load_current(const std::function<void(const Mandate&)>& on_mandate,
                      const std::function<void(const Consent&)>& on_consent) override;

 private:
  Result<PgRows> run(std::string_view sql, const PgParams& params);

  std::mutex mutex_;
  PgConnection connection_;
};

}  // namespace pse::consent

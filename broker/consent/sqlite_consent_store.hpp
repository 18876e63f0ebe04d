// The embedded consent store: one SQLite file in WAL mode with synchronous=FULL (a grant or a
// revocation that was answered survives a power loss). Tables are append-only, enforced by
// triggers: revocations and amendments are new rows that point at the record they concern.
#pragma once

#include "base/sqlite.hpp"
#include "broker/consent/consent_store.hpp"

#include <filesystem>
#include <memory>
#include <mutex>

namespace pse::consent {

class SqliteConsentStore final : public ConsentStore {
 public:
  /// Opens or creates the file and its schema. Throws ConfigError when it cannot.
  explicit SqliteConsentStore(const std::filesystem::path& file);

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
  /// Brings the file's tables to kSchemaVersion; throws ConfigError when it cannot.
  void upgrade(const std::filesystem::path& file);
  Status run(const std::string& sql, const std::function<void(pse::SqliteStatement&)>& bind);
  Result<std::vector<Consent>> select_consents(const std::string& where,
                                               const std::function<void(pse::SqliteStatement&)>& bind);

  std::mutex mutex_;  // one connection, used by one thread at a time
  std::filesystem::path file_;
  std::unique_ptr<pse::SqliteDatabase> database_;
};

}  // namespace pse::consent

// A consent registry with fresh keys, on a real SQLite file in a temporary directory or in a
// fresh schema of the test run's PostgreSQL cluster: each test runs on both.
#pragma once

#include "broker/consent/consent_registry.hpp"
#include "broker/consent/pg_consent_store.hpp"
#include "broker/consent/sqlite_consent_store.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <string>

namespace pse::consent {

inline Instant at(const char* text) { return policy::parse_instant(text)->instant; }

class ConsentRegistryFixture {
 protected:
  explicit ConsentRegistryFixture(testing::Backend backend)
      : subject_key_(audit::SubjectHashKey::generate()), signing_key_(audit::SigningKey::generate()) {
    if (backend == testing::Backend::postgresql) postgres_ = testing::fresh_pg_schema();
    open();
  }

  std::unique_ptr<ConsentStore> open_store() const {
    if (postgres_) return std::make_unique<PgConsentStore>(*postgres_);
    return std::make_unique<SqliteConsentStore>(dir_ / "consents.db");
  }

  void open() {
    registry_.reset();
    Vocabulary vocabulary{
        [](std::string_view org) { return kOrgs.contains(std::string(org)); },
        [](std::string_view category) { return kCategories.contains(std::string(category)); },
    };
    registry_ = std::make_unique<ConsentRegistry>(open_store(), subject_key_, signing_key_, vocabulary);
  }

 public:
  static GrantRequest birth_for_pension(const std::string& subject = "QC-0001") {
    GrantRequest r;
    r.subject_id = subject;
    r.provider = "etat-civil";
    r.consumer = "retraite-quebec";
    r.categories = {"identity.birth"};
    r.purpose = {"pension.eligibility", "Vérifier l'admissibilité à la rente", "Check pension eligibility"};
    r.notice = {"AVIS-RQ-2026-03", "1.2", "fr"};
    r.collection_method = "web-form";
    r.expires_at = at("2027-06-01");
    return r;
  }

 protected:
  ConsentCheck check(const std::string& subject, const std::string& purpose, Instant when,
                     const std::string& provider = "etat-civil", const std::string& category = "identity.birth") {
    return registry_->check(subject, "retraite-quebec", provider, category, purpose, when);
  }

  inline static const std::set<std::string> kOrgs = {"etat-civil", "retraite-quebec", "ramq", "services-quebec"};
  inline static const std::set<std::string> kCategories = {"identity.birth", "identity.address", "health.insurance_coverage"};
  const Instant now_ = at("2026-11-22T10:00:00Z");

  testing::TempDir dir_;
  std::optional<PgConnectOptions> postgres_;
  audit::SubjectHashKey subject_key_;
  audit::SigningKey signing_key_;
  std::unique_ptr<ConsentRegistry> registry_;
};

/// The registry's tests, on each backend.
class ConsentRegistryTest : public ConsentRegistryFixture, public ::testing::TestWithParam<testing::Backend> {
 protected:
  ConsentRegistryTest() : ConsentRegistryFixture(GetParam()) {}
};

}  // namespace pse::consent

// The registry on a real SQLite file and on a real PostgreSQL: grants, revocations, amendments, mandates, validation,
// restart, append-only storage and concurrency.
#include "consent_fixture.hpp"

#include "broker/consent/receipt.hpp"

#include <gmock/gmock.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>

namespace pse::consent {
namespace {

using ::testing::HasSubstr;

INSTANTIATE_TEST_SUITE_P(Stores, ConsentRegistryTest, testing::kEachBackend, testing::backend_name);

TEST_P(ConsentRegistryTest, GrantAllowsTheExchangeItNames) {
  EXPECT_EQ(check("QC-0001", "pension.eligibility", now_).denial, Reason::consent_missing);
  auto granted = registry_->grant(birth_for_pension(), "services-quebec", now_);
  ASSERT_TRUE(granted) << granted.error().message;
  EXPECT_EQ(granted->consent.recorded_by, "services-quebec");
  EXPECT_EQ(granted->consent.granted_at, now_);
  ConsentCheck result = check("QC-0001", "pension.eligibility", now_);
  EXPECT_TRUE(result.allowed());
  EXPECT_EQ(result.consent_id, granted->consent.id);
  EXPECT_EQ(check("QC-0001", "marketing", now_).denial, Reason::purpose_not_consented);
  EXPECT_EQ(check("QC-0002", "pension.eligibility", now_).denial, Reason::consent_missing);
}

TEST_P(ConsentRegistryTest, RevocationIsEffectiveForTheNextCheck) {
  auto granted = registry_->grant(birth_for_pension(), "services-quebec", now_);
  ASSERT_TRUE(granted);
  const Instant later = now_ + std::chrono::minutes(5);
  auto revoked = registry_->revoke(granted->consent.id, "QC-0001", "web-form", "services-quebec", later);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->consent.state_at(later), ConsentState::revoked);
  EXPECT_EQ(check("QC-0001", "pension.eligibility", later).denial, Reason::consent_revoked);

  auto again = registry_->revoke(granted->consent.id, "QC-0001", "web-form", "services-quebec", later);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, Reason::record_not_current);
  // The wrong subject cannot revoke it, even with the right id.
  auto wrong = registry_->revoke(granted->consent.id, "QC-9999", "web-form", "services-quebec", later);
  EXPECT_EQ(wrong.error().reason, Reason::not_found);
}

TEST_P(ConsentRegistryTest, ExpiryIsDecidedAtCheckTime) {
  GrantRequest request = birth_for_pension();
  request.expires_at = now_ + std::chrono::hours(1);
  ASSERT_TRUE(registry_->grant(request, "services-quebec", now_));
  EXPECT_TRUE(check("QC-0001", "pension.eligibility", request.expires_at - std::chrono::seconds(1)).allowed());
  EXPECT_EQ(check("QC-0001", "pension.eligibility", request.expires_at).denial, Reason::consent_expired);
}

TEST_P(ConsentRegistryTest, AmendmentChainKeepsEveryVersion) {
  auto first = registry_->grant(birth_for_pension(), "services-quebec", now_);
  ASSERT_TRUE(first);
  GrantRequest wider = birth_for_pension();
  wider.categories = {"identity.birth", "identity.address"};
  auto second = registry_->amend(first->consent.id, wider, "services-quebec", now_ + std::chrono::hours(1));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->consent.previous_id, first->consent.id);
  EXPECT_EQ(check("QC-0001", "pension.eligibility", now_ + std::chrono::hours(2), "etat-civil", "identity.address")
                .consent_id,
            second->consent.id);

  // The old version is superseded: it cannot be amended or revoked again.
  auto stale = registry_->amend(first->consent.id, wider, "services-quebec", now_ + std::chrono::hours(2));
  EXPECT_EQ(stale.error().reason, Reason::record_not_current);
  EXPECT_EQ(registry_->revoke(first->consent.id, "QC-0001", "web-form", "services-quebec", now_).error().reason,
            Reason::record_not_current);

  auto history = registry_->consents_of("QC-0001");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].superseded_by, second->consent.id);
  EXPECT_EQ((*history)[0].state_at(now_), ConsentState::superseded);
  EXPECT_EQ((*history)[1].state_at(now_ + std::chrono::hours(2)), ConsentState::given);
  EXPECT_EQ(registry_->indexed_consents(), 1u);
}

TEST_P(ConsentRegistryTest, MandateScopeAndExpiry) {
  MandateRequest mandate_request{"QC-0001", "QC-AIDANT", {"identity.birth"}, {"pension.eligibility"}, std::nullopt,
                                 now_ + std::chrono::days(30)};
  auto mandate = registry_->grant_mandate(mandate_request, "services-quebec", now_);
  ASSERT_TRUE(mandate) << mandate.error().message;

  GrantRequest by_delegate = birth_for_pension();
  by_delegate.given_by = {GiverKind::mandatary, mandate->mandate.id, {}};
  by_delegate.mandatary_id = "QC-AIDANT";
  auto granted = registry_->grant(by_delegate, "services-quebec", now_);
  ASSERT_TRUE(granted) << granted.error().message;
  EXPECT_TRUE(check("QC-0001", "pension.eligibility", now_).allowed());
  // After the mandate ends, the consent it carried no longer holds.
  EXPECT_EQ(check("QC-0001", "pension.eligibility", now_ + std::chrono::days(31)).denial, Reason::mandate_invalid);

  // Outside its scope, a mandatary cannot consent.
  GrantRequest out_of_scope = by_delegate;
  out_of_scope.categories = {"identity.address"};
  EXPECT_EQ(registry_->grant(out_of_scope, "services-quebec", now_).error().reason, Reason::mandate_invalid);
  // Nor for another citizen than the mandator.
  GrantRequest other_subject = by_delegate;
  other_subject.subject_id = "QC-0002";
  EXPECT_EQ(registry_->grant(other_subject, "services-quebec", now_).error().reason, Reason::mandate_invalid);

  auto revoked = registry_->revoke_mandate(mandate->mandate.id, "QC-0001", "in-person", "services-quebec",
                                           now_ + std::chrono::days(1));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(check("QC-0001", "pension.eligibility", now_ + std::chrono::days(2)).denial, Reason::mandate_invalid);
  EXPECT_EQ(registry_->grant(by_delegate, "services-quebec", now_ + std::chrono::days(2)).error().reason,
            Reason::mandate_invalid);
}

TEST_P(ConsentRegistryTest, MalformedGrantsAreRefusedWithTheField) {
  auto refused = [&](auto&& change, const char* text) {
    GrantRequest request = birth_for_pension();
    change(request);
    auto result = registry_->grant(request, "services-quebec", now_);
    ASSERT_FALSE(result) << text;
    EXPECT_EQ(result.error().reason, Reason::malformed_request) << text;
    EXPECT_THAT(result.error().message, HasSubstr(text));
  };
  refused([](GrantRequest& r) { r.subject_id = ""; }, "subject");
  refused([](GrantRequest& r) { r.subject_id = "has space"; }, "subject");
  refused([](GrantRequest& r) { r.consumer = "nobody"; }, "consumer 'nobody'");
  refused([](GrantRequest& r) { r.provider = "nobody"; }, "provider 'nobody'");
  refused([](GrantRequest& r) { r.categories = {}; }, "categories");
  refused([](GrantRequest& r) { r.categories = {"tax.secret"}; }, "category 'tax.secret'");
  refused([](GrantRequest& r) { r.categories = {"identity.birth", "identity.birth"}; }, "listed twice");
  refused([](GrantRequest& r) { r.categories = std::vector<std::string>(9, "identity.birth"); }, "1 to 8");
  refused([](GrantRequest& r) { r.purpose.code = ""; }, "purpose.code");
  refused([](GrantRequest& r) { r.purpose.text_en = ""; }, "purpose.fr and purpose.en");
  refused([](GrantRequest& r) { r.notice.reference = ""; }, "notice.reference");
  refused([](GrantRequest& r) { r.notice.language = "de"; }, "notice.language");
  refused([](GrantRequest& r) { r.collection_method = "Web Form"; }, "collection_method");
  refused([this](GrantRequest& r) { r.expires_at = now_ - std::chrono::seconds(1); }, "in the future");
  refused([this](GrantRequest& r) { r.expires_at = now_ + std::chrono::days(400); }, "maximum validity of 366 days");
  refused([](GrantRequest& r) { r.given_by = {GiverKind::guardian, {}, "uncle"}; }, "relationship");
  EXPECT_EQ(registry_->indexed_consents(), 0u);
}

TEST_P(ConsentRegistryTest, IndexIsRebuiltIdenticallyAfterRestart) {
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    GrantRequest request = birth_for_pension("QC-" + std::to_string(i));
    request.purpose.code = i % 3 == 0 ? "pension.eligibility" : "pension.survivor";
    auto granted = registry_->grant(request, "services-quebec", now_);
    ASSERT_TRUE(granted);
    ids.push_back(granted->consent.id);
  }
  for (int i = 0; i < 50; i += 5) {
    ASSERT_TRUE(registry_->revoke(ids[static_cast<std::size_t>(i)], "QC-" + std::to_string(i), "phone",
                                  "services-quebec", now_));
  }
  auto snapshot = [&] {
    std::vector<std::string> outcomes;
    for (int i = 0; i < 50; ++i) {
      for (const char* purpose : {"pension.eligibility", "pension.survivor"}) {
        ConsentCheck c = check("QC-" + std::to_string(i), purpose, now_ + std::chrono::hours(1));
        outcomes.push_back(c.allowed() ? c.consent_id : std::string(to_string(*c.denial)));
      }
    }
    return outcomes;
  };
  const auto before = snapshot();
  open();  // a new registry on the same file, as after a restart
  EXPECT_EQ(registry_->indexed_consents(), 50u);
  EXPECT_EQ(snapshot(), before);
}

TEST_P(ConsentRegistryTest, StoredRecordsCannotBeUpdatedOrDeleted) {
  ASSERT_TRUE(registry_->grant(birth_for_pension(), "services-quebec", now_));
  if (postgres_) {
    auto db = PgConnection::connect(*postgres_);
    ASSERT_TRUE(db) << db.error().message;
    for (const char* statement : {"UPDATE consents SET expires_at = expires_at + 1000", "DELETE FROM consents"}) {
      const auto changed = db->execute_script(statement);
      ASSERT_FALSE(changed.ok()) << statement;
      EXPECT_THAT(changed.error().message, HasSubstr("append-only"));
    }
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "consents.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_NE(sqlite3_exec(db, "UPDATE consents SET expires_at = expires_at + 1000", nullptr, nullptr, &error), SQLITE_OK);
  EXPECT_THAT(std::string(error ? error : ""), HasSubstr("append-only"));
  sqlite3_free(error);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM consents", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST_P(ConsentRegistryTest, SubjectIsNotStoredInClear) {
  ASSERT_TRUE(registry_->grant(birth_for_pension("QC-SECRET-42"), "services-quebec", now_));
  std::string bytes;
  if (postgres_) {
    // Every row of every consent table, as text.
    auto db = PgConnection::connect(*postgres_);
    ASSERT_TRUE(db) << db.error().message;
    for (const char* table : {"consents", "consent_revocations", "mandates", "mandate_revocations"}) {
      auto rows = db->query(std::string("SELECT t::text FROM ") + table + " t");
      ASSERT_TRUE(rows) << rows.error().message;
      for (int row = 0; row < rows->size(); ++row) bytes += rows->text(row, 0);
    }
  } else {
    std::ifstream file(dir_ / "consents.db", std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::ifstream wal(dir_ / "consents.db-wal", std::ios::binary);
    bytes.append((std::istreambuf_iterator<char>(wal)), std::istreambuf_iterator<char>());
  }
  EXPECT_EQ(bytes.find("QC-SECRET-42"), std::string::npos);
  EXPECT_NE(bytes.find("retraite-quebec"), std::string::npos);  // the records were read
}

TEST_P(ConsentRegistryTest, ConcurrentGrantsAndRevocationsWhileChecking) {
  std::atomic<bool> stop{false};
  std::atomic<long> checks{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      while (!stop) {
        ConsentCheck c = check("QC-" + std::to_string(checks % 20), "pension.eligibility", now_);
        if (!c.allowed() && *c.denial != Reason::consent_missing && *c.denial != Reason::consent_revoked) {
          ADD_FAILURE() << "unexpected " << to_string(*c.denial) << " in reader " << t;
        }
        ++checks;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    auto granted = registry_->grant(birth_for_pension("QC-" + std::to_string(i)), "services-quebec", now_);
    ASSERT_TRUE(granted);
    if (i % 2 == 0) {
      ASSERT_TRUE(registry_->revoke(granted->consent.id, "QC-" + std::to_string(i), "web-form", "services-quebec", now_));
    }
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_GT(checks.load(), 0);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(check("QC-" + std::to_string(i), "pension.eligibility", now_).allowed(), i % 2 == 1) << i;
  }
}

}  // namespace
}  // namespace pse::consent

// What the tests of the citizen's page share: a real broker (real TLS, SQLite or PostgreSQL,
// each test on both) and the consent authority's calls to its registry.
#pragma once

#include "broker_fixture.hpp"

#include "audit/audit_keys.hpp"
#include "policy/instant.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace pse::testing {

class CitizenApi : public BrokerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  CitizenApi() { backend_ = GetParam(); }

  /// YYYY-MM-DD, `days` from today (UTC).
  static std::string date_in(int days) {
    const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) + std::chrono::days(days);
    return policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(day)).substr(0, 10);
  }

  /// A consent of `subject` for Retraite Québec to receive their birth record from État civil,
  /// for 90 days; `given_by` (a JSON object) and the purpose code may be set.
  static std::string grant_body(const std::string& subject, const std::string& given_by = "",
                                const std::string& purpose = "pension.eligibility",
                                const std::string& categories = R"(["identity.birth"])") {
    return R"({"subject": ")" + subject + R"(", "provider": "etat-civil", "consumer": "retraite-quebec",
      "categories": )" + categories + R"(,
      "purpose": {"code": ")" + purpose + R"(", "fr": "Vérifier l'admissibilité à la rente", "en": "Check pension eligibility"},
      "notice": {"reference": "AVIS-RQ-2026-03", "version": "1.2", "language": "fr"},
      "collection_method": "web-form", "expires_at": ")" + date_in(90) + "\"" +
           (given_by.empty() ? "" : ", \"given_by\": " + given_by) + "}";
  }

  /// Records a mandate through the API; returns its id ("" when refused, with a failure).
  std::string mandate(const std::string& mandator, const std::string& mandatary,
                      const std::string& valid_until = date_in(60),
                      const std::string& categories = R"(["identity.birth"])",
                      const std::string& purposes = R"(["pension.eligibility"])") {
    const HttpResult granted = post(services_quebec_, "/v1/mandates",
                                    R"({"mandator": ")" + mandator + R"(", "mandatary": ")" + mandatary +
                                        R"(", "categories": )" + categories + R"(, "purposes": )" + purposes +
                                        R"(, "valid_until": ")" + valid_until + R"("})");
    EXPECT_EQ(granted.status, 201) << granted.body;
    if (granted.status != 201) return "";
    return std::string(boost::json::parse(granted.body).at("mandate").at("id").as_string());
  }

  static boost::json::object parse(const HttpResult& result) { return boost::json::parse(result.body).as_object(); }
  static std::string text(const boost::json::value& value) { return std::string(value.as_string()); }

  audit::PublicKey public_key() const { return audit::load_public_key(dir_->path() / "keys" / audit::public_key_file); }

  pse::Hash subject_hash(const std::string& subject) const {
    return audit::load_subject_hash_key(dir_->path() / "keys" / audit::subject_key_file).hash(subject);
  }
};

}  // namespace pse::testing

// The fixture of pse-notify's tests against a real broker (the broker's own BrokerTest:
// ephemeral ports, a PKI from pse-pki): the organisations pse-notify, SAAQ and AFE, Services
// Québec's connector serving the citizens' contact preferences and addresses, consents granted
// through the broker's API, and a notify.yaml pointing at the test servers.
#pragma once

#include "broker_fixture.hpp"

#include "notify_config.hpp"
#include "quebec_time.hpp"
#include "real_servers.hpp"

#include "policy/instant.hpp"

#include <pse/provider.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

namespace pse::notify::testing {

inline Instant utc(const std::string& text) {
  using namespace std::chrono;
  return Instant(sys_days(*parse_date(text.substr(0, 10))).time_since_epoch() + minutes(*parse_minutes(text.substr(11, 5))));
}

class NotifyBroker : public pse::testing::BrokerTest {
 protected:
  using Accounts = std::map<std::string, boost::json::object>;

  static void SetUpTestSuite() {
    BrokerTest::SetUpTestSuite();
    if (pse_notify_.cert.empty()) {
      pse_notify_ = pki_->issue_org("pse-notify");
      saaq_ = pki_->issue_org("saaq");
    }
  }

  /// John, English-speaking, both channels, quiet 21:00–08:00, each access notice.
  static Accounts default_accounts() {
    return {{"QC-EN", {{"channel", "both"},          {"email", "john@example.org"}, {"mobile", "+15145550199"},
                       {"language", "en"},           {"quiet_hours_start", "21:00"}, {"quiet_hours_end", "08:00"},
                       {"access_notices", "each"}}}};
  }

  // Services Québec's connector: the contact preferences citizens declared in their account
  // (only the fields asked for), and their address (identity.address, for the exchanges an
  // access notice is about).
  std::unique_ptr<Provider> start_services_quebec(Accounts accounts = default_accounts()) {
    auto provider = std::make_unique<Provider>(sdk_options(services_quebec_));
    provider->serve({"contact.preferences", "identity.address"},
                    [accounts](const ProviderRequest& request) -> Result<boost::json::object> {
                      auto account = accounts.find(request.subject);
                      if (account == accounts.end()) return make_error(Reason::record_not_found, "no account");
                      boost::json::object all = account->second;
                      if (request.category == "identity.address") {
                        all = {{"street_address", "1000, route de l'Église"}, {"city", "Québec"},
                               {"postal_code", "G1V 3V9"}, {"province", "QC"}, {"effective_date", "2026-10-01"}};
                      }
                      boost::json::object record;
                      for (const auto& field : request.fields) {
                        if (const auto* value = all.if_contains(field)) record[field] = *value;
                      }
                      return record;
                    });
    EXPECT_TRUE(provider->start());
    EXPECT_TRUE(provider->wait_ready(std::chrono::seconds(10)));
    return provider;
  }

  /// The citizen's consent, recorded by Services Québec (the consent authority).
  void grant(const std::string& subject, const std::string& purpose, const std::string& consumer = "pse-notify",
             const std::string& category = "contact.preferences") {
    std::string body = R"({"subject": "SUBJECT", "provider": "services-quebec", "consumer": "CONSUMER",
        "categories": ["CATEGORY"],
        "purpose": {"code": "PURPOSE", "fr": "Avis aux citoyens", "en": "Notices to citizens"},
        "notice": {"reference": "AVIS-SQ-2026-01", "version": "1.0", "language": "fr"},
        "collection_method": "web-form", "expires_at": "EXPIRES"})";
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"SUBJECT", subject}, {"CONSUMER", consumer},
                                     {"CATEGORY", category}, {"PURPOSE", purpose}}) {
      body.replace(body.find(key), key.size(), value);
    }
    body.replace(body.find("EXPIRES"), 7,
                 policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now() + std::chrono::days(30))));
    auto granted = post(services_quebec_, "/v1/consents", body);
    ASSERT_EQ(granted.status, 201) << granted.body;
  }

  /// notify.yaml for the test servers (`sms_port` 0: no SMS gateway in this test).
  NotifyConfig config(const std::filesystem::path& dir, std::uint16_t smtp_port, std::uint16_t sms_port = 0) const {
    NotifyConfig c;
    c.broker = sdk_options(pse_notify_);
    c.store_file = dir / "notify.db";
    c.templates_file = PSE_SOURCE_DIR "/config/notify/templates.yaml";
    c.http.port = 0;
    c.smtp.host = "127.0.0.1";
    c.smtp.server_name = "localhost";
    c.smtp.port = smtp_port;
    c.smtp.ca_file = pki_->ca();
    c.smtp.username = "pse-notify";
    c.smtp.password = "s3cret";
    if (sms_port != 0) c.sms.port = sms_port;
    c.sms.username = "pse-notify";
    c.sms.password = "kannel-s3cret";
    return c;
  }

  static inline pse::testing::ClientIdentity pse_notify_;
  static inline pse::testing::ClientIdentity saaq_;
};

}  // namespace pse::notify::testing

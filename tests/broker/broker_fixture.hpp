// A real broker on ephemeral ports with a PKI made by pse-pki, shared by the broker's
// integration tests.
#pragma once

#include "audit/audit_entry.hpp"
#include "audit/audit_store.hpp"
#include "broker/broker.hpp"
#include "broker/config.hpp"
#include "support/pg_test_database.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

#include <pse/client_options.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace pse::testing {

class BrokerTest : public ::testing::Test {
 protected:
  // One PKI for the whole test program: issuing certificates is the slow part.
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  /// Starts a broker; `adjust` may change the configuration first.
  void start_broker(const std::function<void(broker::BrokerConfig&)>& adjust = {});
  void TearDown() override;

  broker::BrokerConfig base_config() const;
  HttpResult get(const ClientIdentity& who, const std::string& target) const;
  HttpResult post(const ClientIdentity& who, const std::string& target, const std::string& body) const;
  /// The admin listener's /metrics once it shows `line`, or as it is after 2 s: the broker counts
  /// some refusals (a handshake's) only after the client has seen them.
  std::string metrics_showing(const std::string& line) const;
  /// SDK options for `who` against the running broker: localhost, the test CA, 10 s timeouts.
  ClientOptions sdk_options(const ClientIdentity& who) const;

  /// A file holding kAdminToken (chmod 600), for admin_access.token_file.
  static std::filesystem::path admin_token_file();
  static constexpr const char* kAdminToken = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

  /// The store of the brokers started next: set it before start_broker (a parametrised test
  /// sets it from GetParam()). Each broker gets a fresh one.
  Backend backend_ = Backend::sqlite;
  /// Where the running broker keeps its SQLite files (audit.db, consents.db)…
  std::filesystem::path data_dir_;
  /// …or its PostgreSQL schema.
  std::optional<PgConnectOptions> postgres_;

  /// The running broker's audit log, opened for reading on its backend.
  std::unique_ptr<audit::AuditStore> audit_store() const;
  /// Every entry of the running broker's audit log.
  std::vector<audit::AuditEntry> audit_entries() const;

  static TempDir* dir_;
  static TestPki* pki_;
  static ClientIdentity ramq_;
  static ClientIdentity etat_civil_;
  static ClientIdentity services_quebec_;  ///< the consent authority
  static std::filesystem::path signing_key_file_;  ///< the test seed (support/signing_keys.hpp)
  std::unique_ptr<broker::Broker> broker_;
};

}  // namespace pse::testing

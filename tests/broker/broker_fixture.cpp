#include "broker_fixture.hpp"

#include "audit/audit_keys.hpp"
#include "audit/pg_audit_store.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "base/random_id.hpp"
#include "support/queue_key.hpp"
#include "support/signing_keys.hpp"

#include <chrono>
#include <thread>

namespace pse::testing {

TempDir* BrokerTest::dir_ = nullptr;
TestPki* BrokerTest::pki_ = nullptr;
ClientIdentity BrokerTest::ramq_;
ClientIdentity BrokerTest::etat_civil_;
ClientIdentity BrokerTest::services_quebec_;
std::filesystem::path BrokerTest::signing_key_file_;

void BrokerTest::SetUpTestSuite() {
  if (pki_ != nullptr) return;
  dir_ = new TempDir();
  pki_ = new TestPki(dir_->path() / "pki");
  audit::write_new_key_files(dir_->path() / "keys");
  write_queue_key(dir_->path() / "keys");
  signing_key_file_ = write_test_signing_keys(dir_->path() / "keys");
  ramq_ = pki_->issue_org("ramq");
  etat_civil_ = pki_->issue_org("etat-civil");
  services_quebec_ = pki_->issue_org("services-quebec");
}

void BrokerTest::TearDownTestSuite() {
  delete pki_;
  delete dir_;
  pki_ = nullptr;
  dir_ = nullptr;
}

broker::BrokerConfig BrokerTest::base_config() const {
  broker::BrokerConfig config;
  config.listen = {"127.0.0.1", 0};
  config.admin = {"127.0.0.1", 0};
  config.tls.ca_file = pki_->ca();
  config.tls.crl_file = pki_->crl();
  config.tls.cert_file = pki_->server_cert();
  config.tls.key_file = pki_->server_key();
  config.orgs_file = PSE_SOURCE_DIR "/config/orgs.yaml";
  config.classification_file = PSE_SOURCE_DIR "/config/classification.yaml";
  config.policies_file = PSE_SOURCE_DIR "/config/policies.yaml";
  config.keys_dir = dir_->path() / "keys";
  // A fresh store per broker: tests must not see each other's consents.
  static int brokers = 0;
  config.store.data_dir = dir_->path() / ("data-" + std::to_string(++brokers));
  if (backend_ == Backend::postgresql) {
    const PgConnectOptions schema = fresh_pg_schema();
    config.store.backend = store::Backend::postgresql;
    // Named, so that a test can end this broker's sessions and no other test's.
    config.store.conninfo = schema.conninfo + " application_name=" + random_id("pse-broker-test-", 6);
    config.store.password_file = pg_password_file();
  }
  config.threads = 2;
  return config;
}

void BrokerTest::start_broker(const std::function<void(broker::BrokerConfig&)>& adjust) {
  broker::BrokerConfig config = base_config();
  if (adjust) adjust(config);
  data_dir_ = config.store.data_dir;
  postgres_.reset();
  if (config.store.backend == store::Backend::postgresql) postgres_ = store::pg_connect_options(config.store);
  broker_ = std::make_unique<broker::Broker>(std::move(config));
  broker_->start();
}

void BrokerTest::TearDown() {
  if (broker_) {
    broker_->request_drain();
    broker_->wait();
    broker_.reset();
  }
}

std::unique_ptr<audit::AuditStore> BrokerTest::audit_store() const {
  if (postgres_) {
    auto store = audit::PgAuditStore::open(*postgres_);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(store).value();
  }
  auto store = audit::SqliteAuditStore::open(data_dir_ / "audit.db", audit::SqliteAuditStore::Access::read_only);
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(store).value();
}

std::vector<audit::AuditEntry> BrokerTest::audit_entries() const {
  std::vector<audit::AuditEntry> entries;
  (void)audit_store()->read_entries(0, UINT64_MAX, [&](const audit::StoredEntry& stored) {
    entries.push_back(stored.entry);
    return true;
  });
  return entries;
}

std::filesystem::path BrokerTest::admin_token_file() {
  const auto file = dir_->path() / "admin.token";
  if (!std::filesystem::exists(file)) {
    dir_->write("admin.token", kAdminToken);
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  return file;
}

std::string BrokerTest::metrics_showing(const std::string& line) const {
  std::string text = http_get(broker_->admin_port(), "/metrics").body;
  for (int i = 0; i < 40 && text.find(line) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    text = http_get(broker_->admin_port(), "/metrics").body;
  }
  return text;
}

HttpResult BrokerTest::get(const ClientIdentity& who, const std::string& target) const {
  return https_request(broker_->port(), pki_->ca(), who, "GET", target);
}

}  // namespace pse::testing

namespace pse::testing {

ClientOptions BrokerTest::sdk_options(const ClientIdentity& who) const {
  ClientOptions options;
  options.host = "localhost";
  options.port = broker_->port();
  options.ca_file = pki_->ca();
  options.certificate_file = who.cert;
  options.key_file = who.key;
  options.signing_key_file = signing_key_file_;  // a provider signs what its category requires signed
  options.request_timeout = std::chrono::seconds(10);
  return options;
}

HttpResult BrokerTest::post(const ClientIdentity& who, const std::string& target, const std::string& body) const {
  return https_request(broker_->port(), pki_->ca(), who, "POST", target, body);
}

}  // namespace pse::testing

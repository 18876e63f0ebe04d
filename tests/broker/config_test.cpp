#include "broker/config.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

namespace pse::broker {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

class BrokerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"ca.crt", "crl.pem", "broker.crt", "broker.key", "orgs.yaml", "c.yaml", "p.yaml"}) {
      dir_.write(name, "x");
    }
    std::filesystem::create_directory(dir_ / "keys");
  }

  static constexpr const char* kFiles =
      "orgs: orgs.yaml\nclassification: c.yaml\npolicies: p.yaml\nstore: {backend: sqlite, data_dir: data}\nkeys_dir: keys\n";
  static constexpr const char* kTls =
      "tls:\n  ca: ca.crt\n  crl: crl.pem\n  cert: broker.crt\n  key: broker.key\n";

  BrokerConfig load(const std::string& yaml) { return load_broker_config(dir_.write("broker.yaml", yaml)); }

  ConfigError error(const std::string& yaml) {
    try {
      load(yaml);
    } catch (const ConfigError& e) {
      return e;
    }
    ADD_FAILURE() << "expected an error for:\n" << yaml;
    return ConfigError("", 0, "");
  }

  TempDir dir_;
};

TEST_F(BrokerConfigTest, MinimalFileGetsSafeDefaults) {
  BrokerConfig config = load(std::string(kTls) + kFiles);
  EXPECT_EQ(config.trust_domain, "pse.gouv.qc.ca");
  EXPECT_EQ(config.listen.address, "127.0.0.1");
  EXPECT_EQ(config.listen.port, 8443);
  EXPECT_EQ(config.admin.port, 9090);
  EXPECT_EQ(config.tls.min_version, TlsVersion::v1_3);
  EXPECT_EQ(config.tls.ca_file, dir_ / "ca.crt");  // relative to the config file
  EXPECT_EQ(config.limits.body_bytes, 1024u * 1024u);
  EXPECT_EQ(config.limits.handshake_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.store.backend, store::Backend::sqlite);
  EXPECT_EQ(config.store.data_dir, dir_ / "data");
  EXPECT_EQ(config.keys_dir, dir_ / "keys");
  EXPECT_EQ(config.classification_file, dir_ / "c.yaml");
  EXPECT_EQ(config.consent_max_validity_days, 366);
}

TEST_F(BrokerConfigTest, ConsentSettingsAndKeysDirectory) {
  EXPECT_EQ(load(std::string(kTls) + kFiles + "consent: {max_validity_days: 90}\n").consent_max_validity_days, 90);
  EXPECT_THAT(error(std::string(kTls) + kFiles + "consent: {max_validity_days: 0}\n").reason(), HasSubstr("between 1"));
  EXPECT_THAT(error(std::string(kTls) + kFiles + "consent: {max_days: 9}\n").reason(), HasSubstr("unknown key 'max_days'"));
  auto no_keys = error(std::string(kTls) +
                       "orgs: orgs.yaml\nclassification: c.yaml\npolicies: p.yaml\nstore: {backend: sqlite, data_dir: d}\n"
                       "keys_dir: nokeys\n");
  EXPECT_THAT(no_keys.reason(), HasSubstr("keys_dir not found"));
  EXPECT_THAT(no_keys.reason(), HasSubstr("pse-audit keygen"));
}

TEST_F(BrokerConfigTest, TheStoreSectionChoosesTheBackend) {
  const std::string files = "orgs: orgs.yaml\nclassification: c.yaml\npolicies: p.yaml\nkeys_dir: keys\n";
  const std::string password = dir_.write("pg-password", "secret").string();
  ASSERT_EQ(::chmod(password.c_str(), 0600), 0);
  BrokerConfig config = load(std::string(kTls) + files +
                             "store:\n  backend: postgresql\n  conninfo: \"host=db dbname=pse user=pse\"\n"
                             "  password_file: pg-password\n");
  EXPECT_EQ(config.store.backend, store::Backend::postgresql);
  EXPECT_EQ(config.store.conninfo, "host=db dbname=pse user=pse");
  EXPECT_EQ(config.store.password_file, dir_ / "pg-password");
  // The old top-level data_dir says where it went; a missing store section is named.
  auto old = error(std::string(kTls) + files + "data_dir: data\n");
  EXPECT_THAT(old.reason(), HasSubstr("store:"));
  EXPECT_EQ(old.line(), 10);
  EXPECT_THAT(error(std::string(kTls) + files).reason(), HasSubstr("store"));
  auto with_password = error(std::string(kTls) + files +
                             "store:\n  backend: postgresql\n  conninfo: \"host=db password=hunter2\"\n");
  EXPECT_THAT(with_password.reason(), HasSubstr("password_file"));
  EXPECT_EQ(with_password.file(), dir_ / "broker.yaml");
  EXPECT_EQ(with_password.line(), 12);
}

TEST_F(BrokerConfigTest, ShippedDevelopmentConfigParses) {
  // The shipped file names the dev PKI and keys, which may not exist here: only their absence may fail.
  try {
    BrokerConfig config = load_broker_config(PSE_SOURCE_DIR "/config/broker.yaml");
    EXPECT_EQ(config.listen.port, 8443);
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.reason(), HasSubstr("not found")) << e.what();
  }
}

TEST_F(BrokerConfigTest, ReadsEverySetting) {
  BrokerConfig config = load(std::string(kTls) +
                             "  min_version: \"1.2\"\n"
                             "trust_domain: test.example\n"
                             "listen: {address: '::1', port: 0}\n"
                             "admin: {address: 127.0.0.2, port: 9999}\n" + kFiles +
                             "limits: {max_connections: 10, header_bytes: 4096, body_bytes: 10,"
                             " handshake_timeout_ms: 1, idle_timeout_ms: 2, request_timeout_ms: 3, drain_timeout_ms: 4}\n"
                             "threads: 4\nlog_level: debug\n");
  EXPECT_EQ(config.tls.min_version, TlsVersion::v1_2);
  EXPECT_EQ(config.trust_domain, "test.example");
  EXPECT_EQ(config.listen.address, "::1");
  EXPECT_EQ(config.admin.port, 9999);
  EXPECT_EQ(config.limits.max_connections, 10u);
  EXPECT_EQ(config.limits.drain_timeout, std::chrono::milliseconds(4));
  EXPECT_EQ(config.threads, 4u);
}

TEST_F(BrokerConfigTest, PerOrganisationLimitsAreReadAndValidated) {
  BrokerConfig defaults = load(std::string(kTls) + kFiles);
  EXPECT_EQ(defaults.limits.exchange_rate_per_org, 1000U);
  EXPECT_EQ(defaults.limits.max_publishes_in_flight_per_org, 64U);
  EXPECT_EQ(defaults.limits.audit_pending_per_org, 8192U);

  BrokerConfig config = load(std::string(kTls) + kFiles +
                             "limits:\n  exchange_rate_per_org: 50\n  exchange_burst_per_org: 70\n"
                             "  publish_rate_per_org: 5\n  publish_burst_per_org: 9\n"
                             "  max_publishes_in_flight_per_org: 3\n  audit_pending_per_org: 100\n");
  EXPECT_EQ(config.limits.exchange_rate_per_org, 50U);
  EXPECT_EQ(config.limits.exchange_burst_per_org, 70U);
  EXPECT_EQ(config.limits.publish_rate_per_org, 5U);
  EXPECT_EQ(config.limits.publish_burst_per_org, 9U);
  EXPECT_EQ(config.limits.max_publishes_in_flight_per_org, 3U);
  EXPECT_EQ(config.limits.audit_pending_per_org, 100U);

  ConfigError zero = error(std::string(kTls) + kFiles + "limits:\n  publish_rate_per_org: 0\n");
  EXPECT_THAT(zero.what(), HasSubstr("publish_rate_per_org"));
  EXPECT_EQ(zero.line(), 12);
  // One organisation's share of the audit queue cannot exceed the queue.
  EXPECT_THAT(error(std::string(kTls) + kFiles + "limits:\n  audit_pending_per_org: 70000\n").what(),
              HasSubstr("audit_pending_per_org"));
}

TEST_F(BrokerConfigTest, UnknownKeysAreErrorsWithTheirLine) {
  auto e = error(std::string(kTls) + kFiles + "listen:\n  address: 127.0.0.1\n  prot: 8443\n");
  EXPECT_EQ(e.line(), 13);
  EXPECT_THAT(e.reason(), HasSubstr("unknown key 'prot' in listen"));
  EXPECT_THAT(error(std::string(kTls) + kFiles + "verbose: true\n").reason(), HasSubstr("unknown key 'verbose'"));
}

TEST_F(BrokerConfigTest, BadValuesAreErrors) {
  const std::string base = std::string(kTls) + kFiles;
  EXPECT_THAT(error(base + "listen: {address: localhost}\n").reason(), HasSubstr("not a numeric IPv4 or IPv6"));
  EXPECT_THAT(error(base + "listen: {address: 300.1.1.1}\n").reason(), HasSubstr("not a numeric"));
  EXPECT_THAT(error(base + "listen: {port: 70000}\n").reason(), HasSubstr("between 0 and 65535"));
  EXPECT_THAT(error(base + "listen: {port: http}\n").reason(), HasSubstr("must be an integer"));
  EXPECT_THAT(error(base + "threads: 0\n").reason(), HasSubstr("between 1 and 256"));
  EXPECT_THAT(error(base + "log_level: loud\n").reason(), HasSubstr("log_level"));
  EXPECT_THAT(error(base + "trust_domain: Bad_Domain\n").reason(), HasSubstr("trust_domain"));
  EXPECT_THAT(error(base + "limits: {body_bytes: -1}\n").reason(), HasSubstr("between"));
  EXPECT_THAT(error(base + "listen: 8443\n").reason(), HasSubstr("must be a mapping"));
  auto version = error(std::string(kTls) + "  min_version: \"1.1\"\n" + kFiles);
  EXPECT_EQ(version.line(), 6);
  EXPECT_THAT(version.reason(), HasSubstr("min_version"));
}

TEST_F(BrokerConfigTest, MissingFilesAreNamed) {
  auto e = error(std::string("tls:\n  ca: nowhere.crt\n  crl: crl.pem\n  cert: broker.crt\n  key: broker.key\n") + kFiles);
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.reason(), HasSubstr("ca file not found"));
  EXPECT_THAT(e.reason(), HasSubstr("nowhere.crt"));
  EXPECT_THAT(error(std::string(kTls)).reason(), HasSubstr("orgs is required"));
  EXPECT_THAT(error(kFiles).reason(), HasSubstr("tls is required"));
  EXPECT_THAT(error(std::string("tls:\n  ca: ca.crt\n") + kFiles).reason(), HasSubstr("tls.cert is required"));
}

TEST_F(BrokerConfigTest, AdminListenerOffLoopbackNeedsMutualTls) {
  const std::string base = std::string(kTls) + kFiles;
  auto open = error(base + "admin:\n  address: 0.0.0.0\n  port: 9090\n");
  EXPECT_EQ(open.line(), 12);  // the address line
  EXPECT_THAT(open.reason(), HasSubstr("admin.address '0.0.0.0' is not a loopback address"));
  EXPECT_THAT(open.reason(), HasSubstr("mtls: true"));
  EXPECT_THAT(error(base + "admin: {address: '::'}\n").reason(), HasSubstr("not a loopback address"));
  EXPECT_THAT(error(base + "admin: {address: 10.0.0.5}\n").reason(), HasSubstr("not a loopback address"));
  for (const char* loopback : {"127.0.0.1", "127.0.0.2", "'::1'", "'::ffff:127.0.0.1'"}) {
    EXPECT_FALSE(load(base + "admin: {address: " + loopback + "}\n").admin_access.mtls) << loopback;
  }
  EXPECT_THAT(error(base + "admin: {address: 0.0.0.0, mtls: true}\n").reason(), HasSubstr("every interface"));
  EXPECT_THAT(error(base + "admin: {address: '::', mtls: true}\n").reason(), HasSubstr("every interface"));
  BrokerConfig mtls = load(base + "admin: {address: 10.0.0.5, port: 9443, mtls: true, max_connections: 4}\n");
  EXPECT_TRUE(mtls.admin_access.mtls);
  EXPECT_EQ(mtls.admin_access.max_connections, 4u);
  EXPECT_EQ(load(base).admin_access.max_connections, 16u);
  EXPECT_THAT(error(base + "admin: {max_connections: 0}\n").reason(), HasSubstr("between 1"));
  EXPECT_THAT(error(base + "admin: {mtls: maybe}\n").reason(), HasSubstr("mtls"));
}

TEST_F(BrokerConfigTest, AdminTokenFileMustExistAndBeOwnerOnly) {
  const std::string base = std::string(kTls) + kFiles;
  auto missing = error(base + "admin:\n  token_file: absent.token\n");
  EXPECT_EQ(missing.line(), 12);
  EXPECT_THAT(missing.reason(), HasSubstr("admin.token_file not found"));
  dir_.write("admin.token", std::string(64, 'a'));
  std::filesystem::permissions(dir_ / "admin.token", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write |
                                                         std::filesystem::perms::group_read);
  auto open = error(base + "admin:\n  token_file: admin.token\n");
  EXPECT_EQ(open.line(), 12);
  EXPECT_THAT(open.reason(), HasSubstr("chmod 600"));
  std::filesystem::permissions(dir_ / "admin.token", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(load(base + "admin:\n  token_file: admin.token\n").admin_access.token_file, dir_ / "admin.token");
}

TEST_F(BrokerConfigTest, CrlPollInterval) {
  EXPECT_EQ(load(std::string(kTls) + kFiles).tls.crl_poll_interval, std::chrono::milliseconds(5000));
  EXPECT_EQ(load(std::string(kTls) + "  crl_poll_interval_ms: 250\n" + kFiles).tls.crl_poll_interval,
            std::chrono::milliseconds(250));
  EXPECT_THAT(error(std::string(kTls) + "  crl_poll_interval_ms: 10\n" + kFiles).reason(), HasSubstr("between 100"));
}

}  // namespace
}  // namespace pse::broker

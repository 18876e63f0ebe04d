// The `store:` section of broker.yaml: each backend's keys, and every mistake reported with
// the file and the line of the key at fault.
#include "store/store_config.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

namespace pse::store {
namespace {

using ::testing::HasSubstr;

struct Loaded {
  std::optional<StoreConfig> config;
  std::string error;
  int line = 0;
};

Loaded load(pse::testing::TempDir& dir, const std::string& yaml) {
  const auto file = dir.write("broker.yaml", yaml);
  Loaded loaded;
  try {
    YAML::Node root = load_yaml_file(file);
    loaded.config = read_store_config(root["store"], file);
  } catch (const ConfigError& error) {
    loaded.error = error.reason();
    loaded.line = error.line();
  }
  return loaded;
}

TEST(StoreConfig, SqliteNeedsADataDirResolvedAgainstTheFile) {
  pse::testing::TempDir dir;
  const auto loaded = load(dir, "store:\n  backend: sqlite\n  data_dir: ../var\n");
  ASSERT_TRUE(loaded.config) << loaded.error;
  EXPECT_EQ(loaded.config->backend, Backend::sqlite);
  EXPECT_EQ(loaded.config->data_dir, (dir.path() / "../var").lexically_normal());
  EXPECT_THAT(load(dir, "store:\n  backend: sqlite\n").error, HasSubstr("data_dir"));
}

TEST(StoreConfig, PostgresqlTakesAConnectionStringAndASecretPasswordFile) {
  pse::testing::TempDir dir;
  const auto password = dir.write("pg-password", "s3cret\n");
  ::chmod(password.c_str(), 0600);
  const auto loaded = load(dir,
                           "store:\n  backend: postgresql\n  conninfo: \"host=db dbname=pse user=pse\"\n"
                           "  password_file: pg-password\n  statement_timeout_ms: 5000\n");
  ASSERT_TRUE(loaded.config) << loaded.error;
  EXPECT_EQ(loaded.config->backend, Backend::postgresql);
  EXPECT_EQ(loaded.config->statement_timeout, std::chrono::milliseconds(5000));
  const PgConnectOptions options = pg_connect_options(*loaded.config);
  EXPECT_EQ(options.conninfo, "host=db dbname=pse user=pse");
  EXPECT_EQ(options.password, "s3cret");
}

TEST(StoreConfig, MistakesNameTheKeyAndItsLine) {
  pse::testing::TempDir dir;
  const auto open_password = dir.write("open-password", "s3cret");
  ::chmod(open_password.c_str(), 0644);

  auto backend = load(dir, "store:\n  backend: mysql\n  data_dir: x\n");
  EXPECT_THAT(backend.error, HasSubstr("store.backend: must be sqlite or postgresql, got 'mysql'"));
  EXPECT_EQ(backend.line, 2);

  auto with_password = load(dir, "store:\n  backend: postgresql\n  conninfo: \"host=db password=x\"\n");
  EXPECT_THAT(with_password.error, HasSubstr("password_file"));
  EXPECT_EQ(with_password.line, 3);

  auto unparsable = load(dir, "store:\n  backend: postgresql\n  conninfo: \"host=db 'oops\"\n");
  EXPECT_THAT(unparsable.error, HasSubstr("invalid connection string"));
  EXPECT_EQ(unparsable.line, 3);

  auto readable = load(dir, "store:\n  backend: postgresql\n  conninfo: host=db\n  password_file: open-password\n");
  EXPECT_THAT(readable.error, HasSubstr("chmod 600"));
  EXPECT_EQ(readable.line, 4);

  auto missing = load(dir, "store:\n  backend: postgresql\n  conninfo: host=db\n  password_file: nowhere\n");
  EXPECT_THAT(missing.error, HasSubstr("nowhere"));

  auto typo = load(dir, "store:\n  backend: sqlite\n  data_dir: x\n  datadir: y\n");
  EXPECT_THAT(typo.error, HasSubstr("unknown key 'datadir'"));
  EXPECT_EQ(typo.line, 4);
}

}  // namespace
}  // namespace pse::store

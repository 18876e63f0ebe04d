// The SQL source's guarantees: read-only, a single indexed SELECT with :key, bounded results,
// and configuration errors that name the file and line.
#include "adapters/sql/sql_source.hpp"

#include "base/config_error.hpp"
#include "golden_support.hpp"
#include "sql_fixture.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pse::adapters::sql {
namespace {

class SqlSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::create_database(directory_ / "data.db",
                             "CREATE TABLE citoyen (nas TEXT PRIMARY KEY, nom TEXT, ville TEXT);"
                             "CREATE TABLE sans_index (nas TEXT, nom TEXT);"
                             "INSERT INTO citoyen VALUES ('1', 'Tremblay', 'Québec'), ('2', 'Roy', 'Laval');"
                             "INSERT INTO sans_index VALUES ('1', 'Tremblay');");
  }

  SqlSourceConfig config(std::string query, std::vector<std::string> columns = {"nom"}) const {
    SqlSourceConfig result;
    result.database = directory_ / "data.db";
    result.query = std::move(query);
    for (auto& column : columns) {
      SqlField field;
      field.spec.name = column;
      field.column = column;
      result.fields.push_back(field);
    }
    return result;
  }

  std::string refusal(const std::string& query, std::vector<std::string> columns = {"nom"}) const {
    auto source = SqlSource::open(config(query, std::move(columns)));
    return source ? std::string("accepted") : source.error().message;
  }

  pse::testing::TempDir directory_;
};

TEST_F(SqlSourceTest, IndexedSelectLooksUpByKey) {
  auto source = SqlSource::open(config("SELECT nom, ville FROM citoyen WHERE nas = :key", {"nom", "ville"}));
  ASSERT_TRUE(source.ok()) << source.error().message;
  ASSERT_FALSE(source->query_plan().empty());
  EXPECT_TRUE(source->query_plan()[0].starts_with("SEARCH citoyen USING INDEX")) << source->query_plan()[0];
  auto found = source->lookup("2");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->records.size(), 1U);
  EXPECT_EQ(to_json(found->records[0]), R"({"nom":"Roy","ville":"Laval"})");
  // The statement is reused: a second lookup sees fresh bindings.
  auto again = source->lookup("1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_json(again->records[0]), R"({"nom":"Tremblay","ville":"Québec"})");
  auto none = source->lookup("3");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->counts, (DecodeCounts{0, 0, 0}));
}

TEST_F(SqlSourceTest, RefusesAnythingButOneSelect) {
  EXPECT_EQ(refusal("DELETE FROM citoyen WHERE nas = :key"), "query must be a single SELECT");
  EXPECT_EQ(refusal("UPDATE citoyen SET nom = 'x' WHERE nas = :key"), "query must be a single SELECT");
  EXPECT_EQ(refusal("INSERT INTO citoyen (nas) VALUES (:key)"), "query must be a single SELECT");
  EXPECT_EQ(refusal("PRAGMA table_info(citoyen)"), "query must be a single SELECT");
  EXPECT_EQ(refusal("ATTACH DATABASE :key AS other"), "query must be a single SELECT");
  // Refused by the authorizer while SQLite compiles it: a CTE does not make a DELETE a read.
  EXPECT_EQ(refusal("WITH x AS (SELECT 1) DELETE FROM citoyen WHERE nas = :key"),
            "query refused by SQLite: not authorized");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :key; DELETE FROM citoyen"),
            "query must be a single statement; found more after the first");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :key; -- trailing comment is fine"), "accepted");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :key ; ;\n/* done */ ;"), "accepted");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :key; /* then */ SELECT 1"),
            "query must be a single statement; found more after the first");
  EXPECT_EQ(refusal("-- lookup\nselect nom from citoyen where nas = :key;"), "accepted");
}

TEST_F(SqlSourceTest, RefusesFunctionsThatWouldEscapeTheDatabase) {
  EXPECT_EQ(refusal("SELECT load_extension('/tmp/x') AS nom FROM citoyen WHERE nas = :key"),
            "query refused by SQLite: not authorized to use function: load_extension");
}

TEST_F(SqlSourceTest, RequiresExactlyTheKeyParameter) {
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = '1'"), "query must have exactly one parameter, named :key");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :nas"), "query must have exactly one parameter, named :key");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :key AND ville = :ville"),
            "query must have exactly one parameter, named :key");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = ?"), "query must have exactly one parameter, named :key");
}

TEST_F(SqlSourceTest, RefusesAScanPerRequest) {
  EXPECT_EQ(refusal("SELECT nom FROM sans_index WHERE nas = :key"),
            "the key lookup scans instead of using an index (query plan: SCAN sans_index); "
            "create an index on the column compared with :key");
  EXPECT_NE(refusal("SELECT nom FROM citoyen WHERE lower(nas) = :key").find("scans instead of using an index"),
            std::string::npos);
}

TEST_F(SqlSourceTest, RefusesMissingColumnsAndBadDatabases) {
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = :key", {"nom", "ville"}),
            "query returns no column named 'ville' (field 'ville')");
  EXPECT_NE(refusal("SELECT nom FROM absente WHERE nas = :key").find("no such table"), std::string::npos);

  SqlSourceConfig missing = config("SELECT nom FROM citoyen WHERE nas = :key");
  missing.database = directory_ / "absent.db";
  auto absent = SqlSource::open(missing);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().reason, Reason::provider_unavailable);
  EXPECT_FALSE(std::filesystem::exists(directory_ / "absent.db")) << "read-only open must never create a file";

  SqlSourceConfig garbage = config("SELECT nom FROM citoyen WHERE nas = :key");
  garbage.database = directory_.write("garbage.db", std::string(4096, 'x'));
  auto not_database = SqlSource::open(garbage);
  ASSERT_FALSE(not_database.ok());
  EXPECT_NE(not_database.error().message.find("not a database"), std::string::npos) << not_database.error().message;
}

TEST_F(SqlSourceTest, NeverWritesTheDatabase) {
  const std::string before = testing::read_bytes(directory_ / "data.db");
  auto source = SqlSource::open(config("SELECT nom FROM citoyen WHERE nas = :key"));
  ASSERT_TRUE(source.ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(source->lookup(std::to_string(i)).ok());
  EXPECT_EQ(testing::read_bytes(directory_ / "data.db"), before);
}

TEST_F(SqlSourceTest, MaxRowsBoundsALookup) {
  testing::create_database(directory_ / "many.db",
                           "CREATE TABLE t (k TEXT, nom TEXT); CREATE INDEX t_k ON t (k);"
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
                           "INSERT INTO t SELECT 'k', 'x' || i FROM n;");
  SqlSourceConfig bounded = config("SELECT nom FROM t WHERE k = :key");
  bounded.database = directory_ / "many.db";
  bounded.max_rows = 10;
  auto source = SqlSource::open(bounded);
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto outcome = source->lookup("k");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().message, "lookup returned more than 10 rows (max_rows)");
}

TEST_F(SqlSourceTest, ConfigErrorsNameFileAndLine) {
  const auto file = directory_.write("source.yaml",
                                     "database: data.db\n"
                                     "fields:\n  - {name: nom}\n"
                                     "query: SELECT nom FROM sans_index WHERE nas = :key\n");
  try {
    (void)load_sql_source(file);
    ADD_FAILURE() << "accepted a scanning query";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.line(), 4);
    EXPECT_NE(std::string(error.what()).find("scans instead of using an index"), std::string::npos);
  }
  const auto typo = directory_.write("typo.yaml", "database: data.db\nquery: SELECT 1\nfield: []\n");
  try {
    (void)load_sql_source_config(typo);
    ADD_FAILURE() << "accepted an unknown key";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("fields is required"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace pse::adapters::sql

// The ODBC target against real databases through real drivers: an upsert per subject in one
// transaction with the event id's ledger row, so that a retried delivery changes nothing; a
// value the table refuses leaves nothing behind; a database that goes away is a clear error.
#include "adapters/sql/odbc_source.hpp"
#include "adapters/sql/odbc_target.hpp"

#include "base/config_error.hpp"
#include "odbc_fixture.hpp"
#include "tcp_relay.hpp"

#include <gmock/gmock.h>

namespace pse::adapters::sql {
namespace {

using testing::Driver;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kTables =
    "CREATE TABLE deces_recus (no_sujet VARCHAR(20) PRIMARY KEY, nom VARCHAR(12), date_deces DATE);"
    "CREATE TABLE pse_deliveries (event_id VARCHAR(200) PRIMARY KEY, delivered_at VARCHAR(40) NOT NULL);";

SqlField field(const std::string& name, FieldType type) {
  SqlField result;
  result.spec.name = name;
  result.spec.type = type;
  result.column = name;
  return result;
}

class OdbcTargetTest : public ::testing::TestWithParam<Driver> {
 protected:
  OdbcTargetTest() : database_(GetParam()) { database_.setup(kTables); }

  OdbcTargetConfig config(const std::string& port = "") const {
    OdbcTargetConfig result;
    result.name = "deces.yaml";
    result.connection = database_.connection(port);
    if (GetParam() == Driver::postgresql) result.password = testing::OdbcDatabase::password();
    result.login_timeout = 1s;
    result.query_timeout = 2s;
    result.table = "deces_recus";
    result.key_column = "no_sujet";
    return result;
  }

  // The rows as "no_sujet|nom|date_deces", read back through the ODBC source.
  std::vector<std::string> rows(const std::string& subject) const {
    OdbcSourceConfig source;
    static_cast<OdbcConnectionSettings&>(source) = config();
    source.query = "SELECT nom, date_deces FROM deces_recus WHERE no_sujet = ?";
    for (const char* column : {"nom", "date_deces"}) source.fields.push_back(field(column, FieldType::string));
    auto opened = OdbcSource::open(source);
    EXPECT_TRUE(opened) << opened.error().message;
    const auto looked_up = (*opened)->lookup(subject);
    EXPECT_TRUE(looked_up) << looked_up.error().message;
    std::vector<std::string> found;
    for (const auto& record : looked_up->records) found.push_back(to_json(record));
    return found;
  }

  std::int64_t ledger_rows() const {
    OdbcSourceConfig source;
    static_cast<OdbcConnectionSettings&>(source) = config();
    source.query = "SELECT count(*) AS n FROM pse_deliveries WHERE event_id <> ?";
    source.fields.push_back(field("n", FieldType::integer));
    auto opened = OdbcSource::open(source);
    EXPECT_TRUE(opened) << opened.error().message;
    const auto counted = (*opened)->lookup("none");
    return std::get<std::int64_t>(counted->records.at(0).fields().at(0).value);
  }

  testing::OdbcDatabase database_;
};

TEST_P(OdbcTargetTest, EachSubjectIsUpsertedOncePerEventId) {
  auto target = OdbcTarget::open(config(), {"nom", "date_deces"});
  ASSERT_TRUE(target) << target.error().message;
  auto first = (*target)->write("evt-1", "QC-1", {"Tremblay", "2026-11-20"});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE((*target)->write("evt-1", "QC-1", {"Tremblay", "2026-11-20"}));  // a retried delivery
  EXPECT_THAT(rows("QC-1"), ::testing::ElementsAre(R"({"nom":"Tremblay","date_deces":"2026-11-20"})"));
  ASSERT_TRUE((*target)->write("evt-2", "QC-1", {"Côté", std::nullopt}));  // the same citizen again: updated
  ASSERT_TRUE((*target)->write("evt-3", "QC-2", {"Roy", "2026-11-21"}));
  EXPECT_THAT(rows("QC-1"), ::testing::ElementsAre(R"({"nom":"Côté","date_deces":null})"));
  EXPECT_THAT(rows("QC-2"), ::testing::ElementsAre(R"({"nom":"Roy","date_deces":"2026-11-21"})"));
  EXPECT_EQ(ledger_rows(), 3);
}

TEST_P(OdbcTargetTest, AMissingTableColumnOrLedgerIsRefusedAtOpen) {
  auto no_column = OdbcTarget::open(config(), {"nom", "prenom"});
  ASSERT_FALSE(no_column);
  EXPECT_EQ(no_column.error().reason, Reason::malformed_request);
  EXPECT_THAT(no_column.error().message, HasSubstr("the table deces_recus or one of its columns"));
  auto bad_name = OdbcTarget::open(config(), {"nom; DROP TABLE deces_recus"});
  ASSERT_FALSE(bad_name);
  EXPECT_THAT(bad_name.error().message, HasSubstr("is not a plain SQL column name"));
  OdbcTargetConfig no_ledger = config();
  no_ledger.ledger_table = "pse_nulle_part";
  auto refused = OdbcTarget::open(no_ledger, {"nom"});
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message,
              HasSubstr("create it: CREATE TABLE pse_nulle_part (event_id VARCHAR(200) PRIMARY KEY"));
}

INSTANTIATE_TEST_SUITE_P(Drivers, OdbcTargetTest, testing::kEachDriver, testing::driver_name);

class OdbcTargetPostgres : public OdbcTargetTest {};

TEST_P(OdbcTargetPostgres, AValueTheTableRefusesLeavesNoLedgerRowAndIsWrittenWhenRight) {
  auto target = OdbcTarget::open(config(), {"nom", "date_deces"});
  ASSERT_TRUE(target) << target.error().message;
  auto refused = (*target)->write("evt-1", "QC-1", {"Un nom bien trop long pour la colonne", "2026-11-20"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, Reason::provider_unavailable);
  EXPECT_THAT(refused.error().message, HasSubstr("(SQLSTATE 22001)"));
  EXPECT_THAT(refused.error().message, ::testing::Not(HasSubstr("bien trop long")));
  EXPECT_EQ(ledger_rows(), 0);
  ASSERT_TRUE((*target)->write("evt-1", "QC-1", {"Tremblay", "2026-11-20"}));  // the same event, now right
  EXPECT_EQ(rows("QC-1").size(), 1u);
}

TEST_P(OdbcTargetPostgres, ADatabaseThatGoesAwayIsAnErrorAndWritesResumeWhenBack) {
  testing::TcpRelay relay(std::stoi(database_.port()));
  auto target = OdbcTarget::open(config(std::to_string(relay.port())), {"nom"});
  ASSERT_TRUE(target) << target.error().message;
  ASSERT_TRUE((*target)->write("evt-1", "QC-1", {"Roy"}));
  relay.cut();
  auto lost = (*target)->write("evt-2", "QC-2", {"Gagnon"});
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().reason, Reason::provider_unavailable);
  relay.restore();
  ASSERT_TRUE((*target)->write("evt-2", "QC-2", {"Gagnon"}));
  EXPECT_EQ(ledger_rows(), 2);
}

INSTANTIATE_TEST_SUITE_P(Driver, OdbcTargetPostgres, ::testing::Values(Driver::postgresql), testing::driver_name);

TEST(OdbcTargetConfigTest, NamesMustBePlainSql) {
  pse::testing::TempDir directory;
  const auto file = directory.write("target.yaml",
                                    "connection: \"Driver={PostgreSQL Unicode};Server=db\"\n"
                                    "table: \"deces; DROP TABLE x\"\n"
                                    "key_column: no_sujet\n");
  try {
    (void)load_odbc_target_config(file);
    FAIL() << "accepted";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("table must be a plain SQL name"));
  }
  EXPECT_TRUE(is_sql_name("rq.deces_recus"));
  EXPECT_FALSE(is_sql_name("1abc"));
  EXPECT_FALSE(is_sql_name("a.b.c"));
}

}  // namespace
}  // namespace pse::adapters::sql

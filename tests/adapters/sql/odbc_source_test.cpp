// The ODBC source against real databases through real drivers (psqlODBC and the SQLite ODBC
// driver under unixODBC): lookups, the query checks, nothing written, and a database that is
// down, unreachable or back again — each a clear error, never a hang.
#include "adapters/sql/odbc_source.hpp"

#include "base/config_error.hpp"
#include "golden_support.hpp"
#include "odbc_fixture.hpp"
#include "tcp_relay.hpp"

#include <gmock/gmock.h>

#include <future>

namespace pse::adapters::sql {
namespace {

using testing::Driver;
using namespace std::chrono_literals;

constexpr const char* kCitizens =
    "CREATE TABLE citoyen (nas VARCHAR(20) PRIMARY KEY, nom VARCHAR(80), ville VARCHAR(80), solde_f DOUBLE PRECISION);"
    "INSERT INTO citoyen VALUES ('1', 'Tremblay', 'Québec', 1.5);"
    "INSERT INTO citoyen VALUES ('2', 'Côté', 'Lévis', 0.1);";

class OdbcSourceTest : public ::testing::TestWithParam<Driver> {
 protected:
  OdbcSourceTest() : database_(GetParam()) { database_.setup(kCitizens); }

  OdbcSourceConfig config(std::string query, std::vector<std::string> columns = {"nom"}) const {
    OdbcSourceConfig result;
    result.name = "citoyens.yaml";
    result.connection = database_.connection();
    if (GetParam() == Driver::postgresql) result.password = password();
    result.query = std::move(query);
    result.connections = 2;
    result.login_timeout = 1s;
    result.query_timeout = 1s;
    for (auto& column : columns) {
      SqlField field;
      field.spec.name = column;
      field.column = column;
      result.fields.push_back(field);
    }
    return result;
  }
  static std::string password() { return testing::OdbcDatabase::password(); }

  std::string refusal(const std::string& query, std::vector<std::string> columns = {"nom"}) const {
    auto source = OdbcSource::open(config(query, std::move(columns)));
    return source ? std::string("accepted") : source.error().message;
  }

  testing::OdbcDatabase database_;
};

TEST_P(OdbcSourceTest, LooksUpByKeyWithAccentsIntact) {
  auto source = OdbcSource::open(config("SELECT nom, ville FROM citoyen WHERE nas = ?", {"nom", "ville"}));
  ASSERT_TRUE(source) << source.error().message;
  auto found = (*source)->lookup("2");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->records.size(), 1U);
  EXPECT_EQ(to_json(found->records[0]), R"({"nom":"Côté","ville":"Lévis"})");
  auto again = (*source)->lookup("1");  // the prepared statement is reused with a new parameter
  ASSERT_TRUE(again);
  EXPECT_EQ(to_json(again->records[0]), R"({"nom":"Tremblay","ville":"Québec"})");
  auto none = (*source)->lookup("' OR '1'='1");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->records.empty());
}

TEST_P(OdbcSourceTest, RefusesWhatIsNotOneSelectWithOneParameter) {
  EXPECT_EQ(refusal("DELETE FROM citoyen WHERE nas = ?"), "query must be a single SELECT");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = ?; DELETE FROM citoyen"),
            "query must be a single statement, with its quotes and comments closed");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = '1'"), "query must have exactly one parameter, written ?");
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = ? OR ville = ?"), "query must have exactly one parameter, written ?");
  // A semicolon inside a literal or a comment ends nothing (the SQLite driver, unlike
  // psqlODBC, would count a question mark there as a parameter).
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = ? AND nom <> 'a;b' -- why;\n;"), "accepted");
  if (GetParam() == Driver::postgresql) {
    EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = ? AND nom <> 'a?b' -- why?\n"), "accepted");
  }
  EXPECT_EQ(refusal("SELECT nom FROM citoyen WHERE nas = ?", {"prenom"}),
            "query returns no column named 'prenom' (field 'prenom')");
  EXPECT_THAT(refusal("SELECT nom FROM nulle_part WHERE nas = ?"), ::testing::HasSubstr("query refused by the database"));
  // Money stays exact: a decimal field behind a floating-point column is refused at open.
  auto config = this->config("SELECT solde_f FROM citoyen WHERE nas = ?", {"solde_f"});
  config.fields[0].spec.type = FieldType::decimal;
  auto source = OdbcSource::open(config);
  ASSERT_FALSE(source);
  EXPECT_THAT(source.error().message, ::testing::HasSubstr("column 'solde_f' is floating-point"));
}

TEST_P(OdbcSourceTest, ConnectionsAreOpenedWhenNeededUpToThePool) {
  auto source = OdbcSource::open(config("SELECT nom FROM citoyen WHERE nas = ?"));
  ASSERT_TRUE(source);
  EXPECT_EQ((*source)->open_connections(), 1U);
  std::vector<std::future<bool>> lookups;
  for (int i = 0; i < 8; ++i) {
    lookups.push_back(std::async(std::launch::async, [&] {
      auto found = (*source)->lookup("1");
      return found && found->records.size() == 1;
    }));
  }
  for (auto& lookup : lookups) EXPECT_TRUE(lookup.get());
  EXPECT_LE((*source)->open_connections(), 2U);
}

INSTANTIATE_TEST_SUITE_P(Drivers, OdbcSourceTest, testing::kEachDriver, testing::driver_name);

// PostgreSQL only: what the SQLite driver cannot show (a writing SELECT, a server to lose).
class OdbcPostgres : public OdbcSourceTest {};

TEST_P(OdbcPostgres, ANumericColumnGivesAnExactDecimal) {
  database_.setup("CREATE TABLE solde (nas VARCHAR(9) PRIMARY KEY, montant NUMERIC(14, 2));"
                  "INSERT INTO solde VALUES ('1', 123456789012.10), ('2', -0.05)");
  auto config = this->config("SELECT montant FROM solde WHERE nas = ?", {"montant"});
  config.fields[0].spec.type = FieldType::decimal;
  auto source = OdbcSource::open(config);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ(to_json((*source)->lookup("1")->records.at(0)), R"({"montant":"123456789012.10"})");
  EXPECT_EQ(to_json((*source)->lookup("2")->records.at(0)), R"({"montant":"-0.05"})");
}

TEST_P(OdbcPostgres, AQueryThatWritesLeavesNothing) {
  // A data-modifying WITH starts like a SELECT; the rollback that ends every lookup undoes it.
  auto source = OdbcSource::open(
      config("WITH gone AS (DELETE FROM citoyen WHERE nas = ? RETURNING nom) SELECT nom FROM gone"));
  ASSERT_TRUE(source) << source.error().message;
  auto deleted = (*source)->lookup("1");
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(deleted->records.size(), 1U);  // the statement ran
  auto reader = OdbcSource::open(config("SELECT nom FROM citoyen WHERE nas = ?"));
  ASSERT_TRUE(reader);
  auto still = (*reader)->lookup("1");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->records.size(), 1U);  // and left nothing
}

TEST_P(OdbcPostgres, AQueryPastItsTimeoutIsUnavailableAndTheConnectionServesOn) {
  auto source = OdbcSource::open(config("SELECT nom FROM citoyen, pg_sleep(CASE WHEN ? = 'lent' THEN 3 ELSE 0 END)"));
  ASSERT_TRUE(source) << source.error().message;
  const auto started = std::chrono::steady_clock::now();
  auto slow = (*source)->lookup("lent");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().reason, Reason::provider_unavailable);
  EXPECT_THAT(slow.error().message, ::testing::HasSubstr("lookup failed (SQLSTATE"));
  auto quick = (*source)->lookup("vite");
  ASSERT_TRUE(quick) << quick.error().message;
  EXPECT_EQ(quick->records.size(), 2U);
}

TEST_P(OdbcPostgres, ADatabaseThatNeverAnswersIsUnavailableWithinTheLoginTimeout) {
  // Accepts the TCP connection (the kernel's backlog) and never says a word.
  const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(silent, 8), 0);
  socklen_t length = sizeof address;
  ::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);
  auto config = this->config("SELECT nom FROM citoyen WHERE nas = ?");
  config.connection = database_.connection(std::to_string(ntohs(address.sin_port)));
  const auto started = std::chrono::steady_clock::now();
  auto source = OdbcSource::open(config);
  const auto took = std::chrono::steady_clock::now() - started;
  ::close(silent);
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().reason, Reason::provider_unavailable);
  EXPECT_THAT(source.error().message, ::testing::StartsWith("citoyens.yaml: cannot connect: [08001]"));
  EXPECT_LT(took, 3s);
  EXPECT_THAT(source.error().message, ::testing::Not(::testing::HasSubstr(password())));
}

TEST_P(OdbcPostgres, ADatabaseThatGoesAwayIsUnavailableAtOnceAndServedAgainWhenBack) {
  testing::TcpRelay relay(std::stoi(database_.port()));
  auto config = this->config("SELECT nom FROM citoyen WHERE nas = ?");
  config.connection = database_.connection(std::to_string(relay.port()));
  auto source = OdbcSource::open(config);
  ASSERT_TRUE(source) << source.error().message;
  ASSERT_TRUE((*source)->lookup("1"));

  relay.cut();
  const auto started = std::chrono::steady_clock::now();
  auto lost = (*source)->lookup("1");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().reason, Reason::provider_unavailable);
  EXPECT_THAT(lost.error().message, ::testing::HasSubstr("database unreachable: [08001]"));
  auto again = (*source)->lookup("1");  // within the pause: no new attempt, the same answer
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, Reason::provider_unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);

  relay.restore();
  std::this_thread::sleep_for(1100ms);  // past the pause after a failed attempt
  auto back = (*source)->lookup("1");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->records.size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Driver, OdbcPostgres, ::testing::Values(Driver::postgresql), testing::driver_name);

TEST(OdbcSourceConfigTest, APasswordInTheConnectionStringIsRefused) {
  pse::testing::TempDir directory;
  const auto file = directory.write("source.yaml",
                                    "connection: \"Driver={PostgreSQL Unicode};Server=db;Uid=lecteur;PWD={secret;x}\"\n"
                                    "query: SELECT nom FROM citoyen WHERE nas = ?\n"
                                    "fields: [{name: nom}]\n");
  try {
    (void)load_odbc_source_config(file);
    FAIL() << "accepted";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("must not hold the password: put it in password_file"));
    EXPECT_THAT(error.what(), ::testing::Not(::testing::HasSubstr("secret")));
  }
}

TEST(OdbcSourceConfigTest, ThePasswordFileIsAddedBracedAndOwnerReadableOnly) {
  pse::testing::TempDir directory;
  const auto secret = directory.write("db.password", "p;a}ss\n");
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto file = directory.write("source.yaml",
                                    "connection: \"Driver={PostgreSQL Unicode};Server=db;Uid=lecteur;\"\n"
                                    "password_file: db.password\n"
                                    "query: SELECT nom FROM citoyen WHERE nas = ?\n"
                                    "fields: [{name: nom}]\n");
  EXPECT_EQ(load_odbc_source_config(file).connection_string(), "Driver={PostgreSQL Unicode};Server=db;Uid=lecteur;PWD={p;a}}ss}");
  std::filesystem::permissions(secret, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  EXPECT_THROW((void)load_odbc_source_config(file), ConfigError);
}

}  // namespace
}  // namespace pse::adapters::sql

// pse-broker store: a broker's SQLite state copied into PostgreSQL, then served from there by a
// broker on the postgresql backend — consents, the audit log (same root), a pending delivery.
#include "broker/store_tool.hpp"
#include "policy/instant.hpp"

#include "broker_fixture.hpp"

#include "support/signing_keys.hpp"

#include <boost/json.hpp>
#include <gmock/gmock.h>

#include <sstream>

namespace pse::testing {
namespace {

// A death État civil publishes, signed as its SDK would (identity.death requires signed records).
const std::string kDeath = signed_publish_body("etat-civil", R"({"category": "identity.death", "subject": "QC-8",
    "idempotency_key": "deces-8", "record": {"surname": "Roy", "death_date": "2026-11-20"}})");

using ::testing::HasSubstr;
namespace json = boost::json;

class StoreTool : public BrokerTest {
 protected:
  static void subscribe_ramq_to_deaths(broker::BrokerConfig& config) {
    config.pubsub.subscriptions = {{"ramq", "identity.death", "health_insurance_termination"}};
  }
  std::string queue_depth(const std::string& state) const {
    const std::string metrics = http_get(broker_->admin_port(), "/metrics").body;
    const std::string line = "pse_queue_depth{subscriber=\"ramq\",state=\"" + state + "\"} ";
    const auto at = metrics.find(line);
    return at == std::string::npos ? "" : metrics.substr(at + line.size(), metrics.find('\n', at) - at - line.size());
  }
};

TEST_F(StoreTool, ASqliteStoreCopiedIntoPostgresqlIsServedAsItWas) {
  // A broker on SQLite: a consent, a consent read (audited), a death for RAMQ, which is offline.
  start_broker(subscribe_ramq_to_deaths);
  const auto expires = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) + std::chrono::days(30);
  const std::string grant = R"({"subject": "QC-7", "provider": "etat-civil", "consumer": "retraite-quebec",
    "categories": ["identity.birth"], "purpose": {"code": "pension.eligibility", "fr": "Rente", "en": "Pension"},
    "notice": {"reference": "AVIS-1", "version": "1", "language": "fr"}, "collection_method": "web-form",
    "expires_at": ")" + policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(expires)).substr(0, 10) +
                            "\"}";
  ASSERT_EQ(post(services_quebec_, "/v1/consents", grant).status, 201);
  // Reads of the registry, each audited: a log past 256 entries has interior tree nodes stored.
  for (int i = 0; i < 300; ++i) ASSERT_EQ(get(services_quebec_, "/v1/subjects/QC-7/consents").status, 200);
  ASSERT_EQ(post(etat_civil_, "/v1/publish", kDeath).status, 202);
  EXPECT_EQ(queue_depth("ready"), "1");
  const std::uint64_t entries = audit_entries().size();
  ASSERT_GT(entries, 0u);
  const std::filesystem::path source = data_dir_;
  TearDown();  // the broker stops: a copy is made of a store nobody writes

  // Into an empty PostgreSQL schema.
  broker::BrokerConfig target = base_config();
  const PgConnectOptions schema = fresh_pg_schema();
  target.store.backend = store::Backend::postgresql;
  target.store.conninfo = schema.conninfo;
  target.store.password_file = pg_password_file();
  std::ostringstream out;
  ASSERT_EQ(broker::store_copy(target, source, out), 0) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("audit log: " + std::to_string(entries) + " entries"));
  EXPECT_THAT(out.str(), HasSubstr("signed heads, 1 tree nodes"));
  EXPECT_THAT(out.str(), HasSubstr("copied audit log: intact"));
  // A second copy into the same store is refused: it is not empty any more.
  std::ostringstream again;
  EXPECT_EQ(broker::store_copy(target, source, again), 1);
  EXPECT_THAT(again.str(), HasSubstr("not empty"));
  std::ostringstream checked;
  EXPECT_EQ(broker::store_check(target, checked), 0) << checked.str();
  EXPECT_THAT(checked.str(), HasSubstr("consents: 1 current"));
  EXPECT_THAT(checked.str(), HasSubstr("queue ramq: 1 pending"));

  // A broker on the copy serves what the old one held.
  start_broker([&](broker::BrokerConfig& config) {
    subscribe_ramq_to_deaths(config);
    config.store = target.store;
  });
  HttpResult consents = get(services_quebec_, "/v1/subjects/QC-7/consents");
  ASSERT_EQ(consents.status, 200);
  EXPECT_EQ(json::parse(consents.body).at("consents").as_array().size(), 1u);
  EXPECT_EQ(queue_depth("ready"), "1");
  // The same publish again is recognised as the one already stored.
  HttpResult retried = post(etat_civil_, "/v1/publish", kDeath);
  EXPECT_THAT(retried.body, HasSubstr(R"("duplicate":true)"));
  EXPECT_GT(audit_entries().size(), entries);  // the log goes on from where it was
}

TEST_F(StoreTool, CopyingIntoASqliteStoreOrFromNowhereIsRefused) {
  broker::BrokerConfig sqlite = base_config();
  std::ostringstream out;
  EXPECT_THROW(broker::store_copy(sqlite, dir_->path() / "nowhere", out), ConfigError);
  broker::BrokerConfig postgres = base_config();
  postgres.store.backend = store::Backend::postgresql;
  postgres.store.conninfo = fresh_pg_schema().conninfo;
  postgres.store.password_file = pg_password_file();
  EXPECT_THROW(broker::store_copy(postgres, dir_->path() / "nowhere", out), ConfigError);
}

// At start-up an unreachable database or a wrong password is a configuration error naming the
// store (pse-broker exits 2), never a broker half started.
TEST_F(StoreTool, ABrokerThatCannotReachItsDatabaseDoesNotStart) {
  broker::BrokerConfig config = base_config();
  config.store.backend = store::Backend::postgresql;
  config.store.conninfo = "host=127.0.0.1 port=1 dbname=pse user=pse";
  config.store.connect_timeout = std::chrono::seconds(2);
  try {
    broker::Broker broker(config);
    ADD_FAILURE() << "the broker started without its database";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.reason(), HasSubstr("cannot connect to PostgreSQL"));
  }
  const auto wrong = dir_->write("wrong-password", "not-the-password");
  std::filesystem::permissions(wrong, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  config.store.conninfo = fresh_pg_schema().conninfo;
  config.store.password_file = wrong;
  try {
    broker::Broker broker(config);
    ADD_FAILURE() << "the broker started with a wrong password";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.reason(), HasSubstr("password authentication failed"));
  }
}

}  // namespace
}  // namespace pse::testing

#include "broker/broker_stores.hpp"

#include "audit/pg_audit_store.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "base/config_error.hpp"
#include "broker/consent/consent_follower.hpp"
#include "broker/consent/pg_consent_store.hpp"
#include "broker/consent/sqlite_consent_store.hpp"
#include "broker/queue/pg_queue_store.hpp"
#include "broker/queue/sqlite_queue_store.hpp"

namespace pse::broker {
namespace {

template <typename Store, typename Error>
std::unique_ptr<Store> opened(Expected<std::unique_ptr<Store>, Error> store, const std::filesystem::path& where) {
  if (!store) throw ConfigError(where, 0, store.error().message);
  return std::move(store).value();
}

BrokerStores open_sqlite(const store::StoreConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) throw ConfigError(config.data_dir, 0, "cannot create data_dir: " + ec.message());
  const auto file = [&](const char* name) { return config.data_dir / name; };
  using audit::SqliteAuditStore;
  using queue::SqliteQueueStore;
  BrokerStores stores;
  stores.consents = std::make_unique<consent::SqliteConsentStore>(file("consents.db"));
  // The writer first: it creates the file and its schema, which the readers then open.
  stores.audit_writer = opened(SqliteAuditStore::open(file("audit.db"), SqliteAuditStore::Access::writer), file("audit.db"));
  stores.audit_reader = opened(SqliteAuditStore::open(file("audit.db"), SqliteAuditStore::Access::read_only), file("audit.db"));
  stores.audit_view = opened(SqliteAuditStore::open(file("audit.db"), SqliteAuditStore::Access::read_only), file("audit.db"));
  stores.queue_writer = opened(SqliteQueueStore::open(file("queue.db"), SqliteQueueStore::Access::writer), file("queue.db"));
  stores.queue_reader = opened(SqliteQueueStore::open(file("queue.db"), SqliteQueueStore::Access::reader), file("queue.db"));
  stores.subscriptions = std::make_unique<SqliteSubscriptionStore>(file("subscriptions.db"));
  return stores;
}

// One connection per store, as each is used by one thread at a time; each opens (and the first
// migrates) the same database.
BrokerStores open_postgresql(const store::StoreConfig& config, const std::filesystem::path& source,
                             const std::string& broker_id) {
  const PgConnectOptions options = store::pg_connect_options(config);
  BrokerStores stores;
  stores.consents = std::make_unique<consent::PgConsentStore>(options);  // migrates first
  stores.postgres = options;
  auto connection = PgConnection::connect(options);
  if (!connection) throw ConfigError(source, 0, connection.error().message);
  auto mark = consent::ConsentFollower::last_change(*connection);
  if (!mark) throw ConfigError(source, 0, mark.error().message);
  stores.consent_change_mark = *mark;
  stores.audit_writer = opened(audit::PgAuditStore::open(options), source);
  stores.audit_reader = opened(audit::PgAuditStore::open(options), source);
  stores.audit_view = opened(audit::PgAuditStore::open(options), source);
  stores.queue_writer = opened(queue::PgQueueStore::open(options, broker_id), source);
  stores.queue_reader = opened(queue::PgQueueStore::open(options, broker_id), source);
  stores.subscriptions = std::make_unique<PgSubscriptionStore>(options);
  return stores;
}

}  // namespace

BrokerStores open_broker_stores(const BrokerConfig& config, const std::string& broker_id) {
  if (config.store.backend == store::Backend::postgresql) {
    try {
      return open_postgresql(config.store, config.source, broker_id);
    } catch (const ConfigError& error) {
      throw ConfigError(config.source, 0, "store (postgresql): " + error.reason());
    }
  }
  return open_sqlite(config.store);
}

}  // namespace pse::broker

#include "base/config_error.hpp"
#include "broker/pubsub/subscription_store.hpp"
#include "store/pg_schema.hpp"

namespace pse::broker {
PgSubscriptionStore::PgSubscriptionStore(const PgConnectOptions& options)
    : connection_(store::connect_migrated_or_throw(options)) {}

std::vector<SubscriptionEntry> PgSubscriptionStore::load() {
  auto rows = connection_.query("SELECT subscriber, category, purpose FROM subscriptions");
  if (!rows) throw ConfigError("store.conninfo", 0, rows.error().message);
  std::vector<SubscriptionEntry> entries;
  for (int row = 0; row < rows->size(); ++row) {
    entries.push_back({std::string(rows->text(row, 0)), std::string(rows->text(row, 1)), std::string(rows->text(row, 2))});
  }
  return entries;
}

bool PgSubscriptionStore::save(const std::vector<SubscriptionEntry>& entries, std::string& error) {
  if (!connection_.is_open()) {
    if (auto reconnected = connection_.reconnect(); !reconnected) {
      error = reconnected.error().message;
      return false;
    }
  }
  auto fail = [&](const PgError& cause) {
    error = cause.message;
    if (connection_.is_open()) (void)connection_.execute_script("ROLLBACK");
    return false;
  };
  if (auto begun = connection_.execute_script("BEGIN"); !begun) return fail(begun.error());
  for (const auto& entry : entries) {
    auto upserted = connection_.execute(
        "INSERT INTO subscriptions (subscriber, category, purpose) VALUES ($1, $2, $3)"
        " ON CONFLICT (subscriber, category) DO UPDATE SET purpose = EXCLUDED.purpose",
        PgParams().text(entry.subscriber).text(entry.category).text(entry.purpose));
    if (!upserted) return fail(upserted.error());
  }
  // Heard by the other brokers once committed: their publishes fan out to these subscribers too.
  if (auto notified = connection_.execute_script("NOTIFY " + std::string(kSubscriptionsChannel)); !notified) {
    return fail(notified.error());
  }
  if (auto committed = connection_.execute_script("COMMIT"); !committed) return fail(committed.error());
  return true;
}

}  // namespace pse::broker

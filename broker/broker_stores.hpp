// The broker's state on the backend broker.yaml's `store:` section names: SQLite files in
// data_dir (the embedded default, one broker) or the hub's PostgreSQL (several brokers). The
// one place that knows both; everything else sees the interfaces.
#pragma once

#include "audit/audit_store.hpp"
#include "broker/config.hpp"
#include "broker/consent/consent_store.hpp"
#include "broker/pubsub/subscription_store.hpp"
#include "broker/queue/queue_store.hpp"

#include <cstdint>
#include <memory>
#include <optional>

namespace pse::broker {

struct BrokerStores {
  std::unique_ptr<consent::ConsentStore> consents;
  std::unique_ptr<audit::AuditStore> audit_writer;
  std::unique_ptr<audit::AuditStore> audit_reader;  ///< the audit log's own (proofs)
  std::unique_ptr<audit::AuditStore> audit_view;    ///< the citizen's register and consent-read lookups
  std::unique_ptr<queue::QueueStore> queue_writer;
  std::unique_ptr<queue::QueueStore> queue_reader;
  std::unique_ptr<SubscriptionStore> subscriptions;

  /// PostgreSQL only: the settings the consent follower connects with, and the last consent
  /// change before the registry loads its index (consent_follower.hpp).
  std::optional<PgConnectOptions> postgres;
  std::int64_t consent_change_mark = 0;
};

/// Opens (creating and migrating) every store. Throws ConfigError naming the file, or the
/// store section, and why: an unreachable PostgreSQL, a bad password, a newer schema…
/// `broker_id` names this process among the hub's brokers (its delivery claims, its heartbeat).
BrokerStores open_broker_stores(const BrokerConfig& config, const std::string& broker_id);

}  // namespace pse::broker

// The PostgreSQL schema of every kind of state, versioned, with the migrations that build it.
//
// One schema for the whole hub (docs/decisions/storage.md): the audit log, consents and
// mandates, delivery queues, subscriptions, idempotency keys. Its version is a row of
// pse_schema; migrate() applies the missing steps in one transaction under an advisory lock,
// so brokers starting together migrate once, and refuses a database whose version is newer
// than this program knows (a newer broker migrated it: running an older one on it could
// write what the newer one does not expect).
#pragma once

#include "base/postgres.hpp"

#include <cstdint>

namespace pse::store {

/// A broker whose heartbeat in `brokers` (every 100 ms, consent_follower.hpp) is older than
/// this has stopped: the other brokers take over its delivery claims and its exchange claims.
/// Long enough that a busy database does not make a live broker look dead (which would only
/// deliver twice, never lose); it is how long a request in flight on a killed broker waits.
inline constexpr std::int64_t kBrokerSilentAfterSeconds = 5;

/// The schema version this program writes and reads.
int pg_schema_version();

/// The database's schema version (0 when it has none yet).
PgResult<int> pg_database_version(PgConnection& connection);

/// Brings the schema to pg_schema_version(); an error names what failed, or says the
/// database is newer than this program.
PgStatus migrate(PgConnection& connection);

/// Connects and migrates: what every PostgreSQL store does when it opens.
PgResult<PgConnection> connect_migrated(const PgConnectOptions& options);

/// The same for a store opened at start-up: throws ConfigError ("store.conninfo") when it cannot.
PgConnection connect_migrated_or_throw(const PgConnectOptions& options);

}  // namespace pse::store

#include "broker/store_tool.hpp"

#include "audit/audit_keys.hpp"
#include "audit/log_verifier.hpp"
#include "audit/pg_audit_store.hpp"
#include "audit/sqlite_audit_store.hpp"
#include "base/config_error.hpp"
#include "base/hex.hpp"
#include "base/postgres.hpp"
#include "base/sqlite.hpp"
#include "broker/broker_stores.hpp"
#include "broker/consent/sqlite_consent_store.hpp"
#include "broker/queue/sqlite_queue_store.hpp"
#include "store/pg_schema.hpp"

#include <vector>

namespace pse::broker {
namespace {

// What the tool is called where a broker gives its name (a claim it never takes).
constexpr const char* kToolName = "pse-broker-store-tool";

PgConnection connect_migrated_or_throw(const BrokerConfig& config) {
  auto connection = store::connect_migrated(store::pg_connect_options(config.store));
  if (!connection) throw ConfigError(config.source, 0, "store (postgresql): " + connection.error().message);
  return std::move(connection).value();
}

audit::PublicKey audit_public_key(const BrokerConfig& config) {
  return audit::load_public_key(config.keys_dir / audit::public_key_file);
}

// ---- copying SQLite tables into PostgreSQL ----

// One table's copy: the SQLite query (its columns in order) and where they go. `types` has
// one letter per column: t text, i integer, b blob (any of them may be NULL).
struct TableCopy {
  std::string_view select;
  std::string_view target;
  std::string_view types;
};

constexpr std::size_t kRowsPerCopy = 10'000;

std::string copy_field(const SqliteStatement& row, int column, char type) {
  if (row.is_null(column)) return "\\N";
  switch (type) {
    case 'i': return std::to_string(row.integer(column));
    case 'b': return copy_bytes(as_bytes(row.blob(column)));
    default: return copy_escape_text(row.text(column));
  }
}

// Streams the rows into COPY commands of kRowsPerCopy rows; returns how many rows were copied.
std::uint64_t copy_table(SqliteDatabase& source, PgConnection& target, const TableCopy& table) {
  auto select = source.prepare(table.select);
  if (!select) throw ConfigError("copy", 0, std::string(table.select) + ": " + select.error().message);
  std::string data;
  std::uint64_t rows = 0;
  auto flush = [&] {
    if (data.empty()) return;
    if (auto copied = target.copy_in(table.target, data); !copied) {
      throw ConfigError("copy", 0, "into " + std::string(table.target) + ": " + copied.error().message);
    }
    data.clear();
  };
  while (true) {
    auto row = select->step();
    if (!row) throw ConfigError("copy", 0, std::string(table.select) + ": " + row.error().message);
    if (!*row) break;
    for (std::size_t column = 0; column < table.types.size(); ++column) {
      if (column > 0) data += '\t';
      data += copy_field(*select, static_cast<int>(column), table.types[column]);
    }
    data += '\n';
    if (++rows % kRowsPerCopy == 0) flush();
  }
  flush();
  return rows;
}

SqliteDatabase open_source(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) throw ConfigError(file, 0, "not found: nothing to copy from");
  auto database = SqliteDatabase::open(file, SqliteDatabase::Mode::read_only);
  if (!database) throw ConfigError(file, 0, database.error().message);
  return std::move(database).value();
}

constexpr TableCopy kConsentTables[] = {
    {"SELECT id, schema_version, subject_hash, given_by, mandate_id, relationship, provider, consumer, categories, "
     "purpose_code, purpose_fr, purpose_en, notice_reference, notice_version, notice_language, collection_method, "
     "granted_at, expires_at, previous_id, recorded_by FROM consents ORDER BY rowid",
     "consents (id, schema_version, subject_hash, given_by, mandate_id, relationship, provider, consumer, categories, "
     "purpose_code, purpose_fr, purpose_en, notice_reference, notice_version, notice_language, collection_method, "
     "granted_at, expires_at, previous_id, recorded_by)",
     "tibtttttttttttttiitt"},
    {"SELECT consent_id, revoked_at, method, recorded_by, mandate_id FROM consent_revocations ORDER BY rowid",
     "consent_revocations (consent_id, revoked_at, method, recorded_by, mandate_id)", "tittt"},
    {"SELECT id, mandator_hash, mandatary_hash, categories, purposes, valid_from, valid_until, recorded_by, "
     "granted_at FROM mandates ORDER BY rowid",
     "mandates (id, mandator_hash, mandatary_hash, categories, purposes, valid_from, valid_until, recorded_by, "
     "granted_at)",
     "tbbttiiti"},
    {"SELECT mandate_id, revoked_at, method, recorded_by FROM mandate_revocations ORDER BY rowid",
     "mandate_revocations (mandate_id, revoked_at, method, recorded_by)", "titt"},
};

constexpr TableCopy kAuditTables[] = {
    {"SELECT seq, time_us, request_id, consumer, provider, category, purpose, decision, reason, rule_id, basis_type, "
     "basis, permitted_fields, payload_hash, subject_hash, leaf_hash, obligations FROM audit_entries ORDER BY seq",
     "audit_entries (seq, time_us, request_id, consumer, provider, category, purpose, decision, reason, rule_id, "
     "basis_type, basis, permitted_fields, payload_hash, subject_hash, leaf_hash, obligations)",
     "iitttttttttttbbbt"},
    {"SELECT tree_size, time_us, root, previous, signature FROM tree_heads ORDER BY id",
     "audit_tree_heads (tree_size, time_us, root, previous, signature)", "iibbb"},
    // Before the end row: the database refuses an end past a node it does not hold.
    {"SELECT level, node_index, hash FROM tree_nodes ORDER BY level, node_index",
     "audit_tree_nodes (level, node_index, hash)", "iib"},
    // Notices not sent yet: the brokers of the hub send them when they start.
    {"SELECT seq, message FROM outbox ORDER BY seq", "audit_outbox (seq, message)", "ib"},
};

constexpr TableCopy kSubscriptionTables[] = {
    {"SELECT subscriber, category, purpose FROM subscriptions", "subscriptions (subscriber, category, purpose)", "ttt"},
};

// Pending and dead deliveries stay sealed as they are: the brokers open them with the same
// keys_dir. Ids keep their values, and the next id follows them.
constexpr TableCopy kQueueTables[] = {
    {"SELECT publisher, idempotency_key, event_id, stored_at_us FROM idempotency_keys",
     "queue_idempotency_keys (publisher, idempotency_key, event_id, stored_at_us)", "ttti"},
    {"SELECT id, subscriber, ordering_key, event_id, publisher, category, dead, attempts, next_attempt_us, "
     "stored_at_us, last_error, key_id, nonce, ciphertext, priority FROM deliveries ORDER BY id",
     "queue_deliveries (id, subscriber, ordering_key, event_id, publisher, category, dead, attempts, "
     "next_attempt_us, stored_at_us, last_error, key_id, nonce, ciphertext, priority)",
     "itbtttiiiittbbi"},
    {"SELECT subscriber, ordering_key, delivery_id, due_us, priority FROM heads",
     "queue_heads (subscriber, ordering_key, delivery_id, due_us, priority)", "tbiii"},
    {"SELECT subscriber, pending, dead FROM subscriber_counts", "queue_subscriber_counts (subscriber, pending, dead)",
     "tii"},
};

void run_or_throw(PgConnection& target, std::string_view sql, const PgParams& params = {}) {
  if (auto done = target.execute(sql, params); !done) throw ConfigError("copy", 0, done.error().message);
}

// The log's end row, from the source's writer state and the heads just copied.
void copy_audit_end(SqliteDatabase& source, PgConnection& target, std::uint64_t entries) {
  auto state = source.prepare("SELECT frontier FROM writer_state WHERE id = 1");
  if (!state) throw ConfigError("copy", 0, state.error().message);
  auto row = state->step();
  if (!row) throw ConfigError("copy", 0, row.error().message);
  const std::string frontier = *row ? state->blob(0) : audit::MerkleFrontier().serialize();
  run_or_throw(target,
               "UPDATE audit_log_end SET entry_count = $1, frontier = $2, "
               "head_id = (SELECT max(id) FROM audit_tree_heads) WHERE id = 1",
               PgParams().integer(static_cast<std::int64_t>(entries)).bytes(frontier));
}

std::string copy_queue(SqliteDatabase& source, PgConnection& target) {
  std::string report;
  for (const TableCopy& table : kQueueTables) {
    report += std::string(table.target.substr(0, table.target.find(' '))) + ": " +
              std::to_string(copy_table(source, target, table)) + "\n";
  }
  auto next = source.prepare("SELECT next_delivery_id FROM queue_meta WHERE id = 1");
  if (!next) throw ConfigError("copy", 0, next.error().message);
  auto row = next->step();
  if (!row) throw ConfigError("copy", 0, row.error().message);
  if (*row) {
    run_or_throw(target,
                 "UPDATE queue_meta SET next_delivery_id = greatest($1, "
                 "(SELECT coalesce(max(id), 0) + 1 FROM queue_deliveries)) WHERE id = 1",
                 PgParams().integer(next->integer(0)));
  }
  return report;
}

bool target_is_empty(PgConnection& target) {
  auto rows = target.query(
      "SELECT (SELECT count(*) FROM audit_entries) + (SELECT count(*) FROM audit_tree_heads) + "
      "(SELECT count(*) FROM consents) + (SELECT count(*) FROM mandates) + (SELECT count(*) FROM subscriptions) + "
      "(SELECT count(*) FROM queue_deliveries) + (SELECT count(*) FROM queue_idempotency_keys)");
  if (!rows) throw ConfigError("copy", 0, rows.error().message);
  return rows->integer(0, 0) == 0;
}

// Verifies a log and says what it holds, or why it is not intact.
std::optional<audit::VerifyReport> verified(audit::AuditStore& store, const audit::PublicKey& key, std::ostream& out,
                                            std::string_view name) {
  auto report = audit::verify_log(store, key, {});
  if (!report) {
    out << name << ": cannot be read: " << report.error().message << "\n";
    return std::nullopt;
  }
  if (!report->intact()) {
    out << name << ": NOT intact: " << report->problems.front().description << "\n";
    return std::nullopt;
  }
  out << name << ": intact, " << report->entries << " entries, root " << to_hex(report->root) << "\n";
  return std::move(report).value();
}

}  // namespace

int store_migrate(const BrokerConfig& config, std::ostream& out) {
  if (config.store.backend == store::Backend::sqlite) {
    (void)open_broker_stores(config, kToolName);  // creates or upgrades each file
    out << "sqlite store in " << config.store.data_dir.string() << ": created or up to date\n";
    return 0;
  }
  PgConnection connection = connect_migrated_or_throw(config);
  out << "postgresql store: schema version " << store::pg_schema_version() << "\n";
  return 0;
}

int store_check(const BrokerConfig& config, std::ostream& out) {
  if (config.store.backend == store::Backend::postgresql) {
    auto connection = PgConnection::connect(store::pg_connect_options(config.store));
    if (!connection) throw ConfigError(config.source, 0, "store (postgresql): " + connection.error().message);
    auto version = store::pg_database_version(*connection);
    if (!version) throw ConfigError(config.source, 0, version.error().message);
    out << "postgresql store: schema version " << *version << " (this program: " << store::pg_schema_version()
        << ")\n";
    if (*version != store::pg_schema_version()) return 1;
  }
  BrokerStores stores = open_broker_stores(config, kToolName);
  const bool intact = verified(*stores.audit_view, audit_public_key(config), out, "audit log").has_value();
  std::uint64_t consents = 0;
  std::uint64_t mandates = 0;
  if (auto loaded = stores.consents->load_current([&](const consent::Mandate&) { ++mandates; },
                                                  [&](const consent::Consent&) { ++consents; });
      !loaded) {
    out << "consents: cannot be read: " << loaded.error().message << "\n";
    return 1;
  }
  out << "consents: " << consents << " current, mandates: " << mandates << "\n";
  if (auto counts = stores.queue_writer->load_counts(); counts) {
    for (const auto& count : *counts) {
      out << "queue " << count.subscriber << ": " << count.pending << " pending, " << count.dead << " dead\n";
    }
  } else {
    out << "queue: cannot be read: " << counts.error().message << "\n";
    return 1;
  }
  out << "subscriptions: " << stores.subscriptions->load().size() << "\n";
  return intact ? 0 : 1;
}

int store_copy(const BrokerConfig& config, const std::filesystem::path& from, std::ostream& out) {
  if (config.store.backend != store::Backend::postgresql) {
    throw ConfigError(config.source, 0, "store copy writes into a postgresql store: section; this one is sqlite");
  }
  // Opened once for writing first: a log of an older schema is brought up to date (its tree
  // nodes computed), as the broker would on start.
  if (std::filesystem::is_regular_file(from / "audit.db")) {
    auto upgraded = audit::SqliteAuditStore::open(from / "audit.db", audit::SqliteAuditStore::Access::writer);
    if (!upgraded) throw ConfigError(from / "audit.db", 0, upgraded.error().message);
  }
  SqliteDatabase audit_source = open_source(from / "audit.db");
  PgConnection target = connect_migrated_or_throw(config);
  if (!target_is_empty(target)) {
    out << "the PostgreSQL store is not empty: copy only into a new one\n";
    return 1;
  }
  if (auto begun = target.execute_script("BEGIN"); !begun) throw ConfigError("copy", 0, begun.error().message);
  std::uint64_t entries = copy_table(audit_source, target, kAuditTables[0]);
  std::uint64_t heads = copy_table(audit_source, target, kAuditTables[1]);
  std::uint64_t nodes = copy_table(audit_source, target, kAuditTables[2]);
  copy_audit_end(audit_source, target, entries);
  const std::uint64_t kept = copy_table(audit_source, target, kAuditTables[3]);
  out << "audit log: " << entries << " entries, " << heads << " signed heads, " << nodes << " tree nodes, " << kept
      << " notices to send\n";
  if (std::filesystem::exists(from / "consents.db")) {
    // Brought up to date first, as the broker would on start: the copy reads today's columns.
    { consent::SqliteConsentStore upgraded(from / "consents.db"); }
    SqliteDatabase consents = open_source(from / "consents.db");
    for (const TableCopy& table : kConsentTables) {
      out << table.target.substr(0, table.target.find(' ')) << ": " << copy_table(consents, target, table) << "\n";
    }
  }
  if (std::filesystem::exists(from / "subscriptions.db")) {
    SqliteDatabase subscriptions = open_source(from / "subscriptions.db");
    out << "subscriptions: " << copy_table(subscriptions, target, kSubscriptionTables[0]) << "\n";
  }
  if (std::filesystem::exists(from / "queue.db")) {
    // Brought up to date first, as the broker would on start: the copy reads today's columns.
    if (auto upgraded = queue::SqliteQueueStore::open(from / "queue.db", queue::SqliteQueueStore::Access::writer);
        !upgraded) {
      throw ConfigError(from / "queue.db", 0, upgraded.error().message);
    }
    SqliteDatabase queue = open_source(from / "queue.db");
    out << copy_queue(queue, target);
  }
  if (auto committed = target.execute_script("COMMIT"); !committed) {
    throw ConfigError("copy", 0, committed.error().message);
  }

  // The copy must verify as the source does, to the same root.
  const audit::PublicKey key = audit_public_key(config);
  auto source_store = audit::SqliteAuditStore::open(from / "audit.db", audit::SqliteAuditStore::Access::read_only);
  if (!source_store) throw ConfigError(from / "audit.db", 0, source_store.error().message);
  auto copied_store = audit::PgAuditStore::open(store::pg_connect_options(config.store),
                                                audit::PgAuditStore::Access::read_only);
  if (!copied_store) throw ConfigError(config.source, 0, copied_store.error().message);
  const auto before = verified(**source_store, key, out, "source audit log");
  const auto after = verified(**copied_store, key, out, "copied audit log");
  if (!before || !after || before->root != after->root || before->entries != after->entries) {
    out << "the copied audit log does not verify as the source does\n";
    return 1;
  }
  out << "copied; start the brokers on the postgresql store\n";
  return 0;
}

}  // namespace pse::broker

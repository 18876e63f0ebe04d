#include "store/pg_schema.hpp"

#include "base/config_error.hpp"

#include <array>
#include <functional>
#include <string_view>

namespace pse::store {
namespace {

// Each step takes the schema from its index to index + 1. Never edit a step that has shipped:
// add one.
constexpr auto kMigrations = std::to_array<std::string_view>({
    // 1: the audit log (one Merkle log for the hub) and the consent registry.
    R"sql(
CREATE FUNCTION pse_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TABLE audit_entries (
  seq bigint PRIMARY KEY,
  time_us bigint NOT NULL,
  request_id text NOT NULL,
  consumer text NOT NULL,
  provider text NOT NULL,
  category text NOT NULL,
  purpose text NOT NULL,
  decision text NOT NULL,
  reason text NOT NULL,
  rule_id text NOT NULL,
  basis_type text NOT NULL,
  basis text NOT NULL,
  permitted_fields text NOT NULL,
  payload_hash bytea,
  subject_hash bytea NOT NULL,
  leaf_hash bytea NOT NULL
);
CREATE INDEX audit_entries_by_subject ON audit_entries (subject_hash, seq);
CREATE TABLE audit_tree_heads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tree_size bigint NOT NULL,
  time_us bigint NOT NULL,
  root bytea NOT NULL,
  previous bytea NOT NULL,
  signature bytea NOT NULL
);
CREATE INDEX audit_tree_heads_by_size ON audit_tree_heads (tree_size);
-- The end of the log: one row, locked by every commit (FOR UPDATE), which is what orders the
-- batches of every broker into one log.
CREATE TABLE audit_log_end (
  id int PRIMARY KEY CHECK (id = 1),
  entry_count bigint NOT NULL,
  frontier bytea NOT NULL,
  head_id bigint REFERENCES audit_tree_heads (id)
);
-- The empty tree's frontier: a size of 0 in 8 bytes, no subtree (audit/merkle.hpp).
INSERT INTO audit_log_end (id, entry_count, frontier, head_id) VALUES (1, 0, '\x0000000000000000'::bytea, NULL);
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER audit_tree_heads_append_only BEFORE UPDATE OR DELETE ON audit_tree_heads
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER audit_tree_heads_no_truncate BEFORE TRUNCATE ON audit_tree_heads
  FOR EACH STATEMENT EXECUTE FUNCTION pse_append_only();

CREATE TABLE consents (
  id text PRIMARY KEY,
  recorded_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the order records were made in
  schema_version int NOT NULL,
  subject_hash bytea NOT NULL,
  given_by text NOT NULL,
  mandate_id text NOT NULL,
  relationship text NOT NULL,
  provider text NOT NULL,
  consumer text NOT NULL,
  categories text NOT NULL,
  purpose_code text NOT NULL,
  purpose_fr text NOT NULL,
  purpose_en text NOT NULL,
  notice_reference text NOT NULL,
  notice_version text NOT NULL,
  notice_language text NOT NULL,
  collection_method text NOT NULL,
  granted_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  previous_id text UNIQUE REFERENCES consents (id),
  recorded_by text NOT NULL
);
CREATE INDEX consents_by_subject ON consents (subject_hash);
CREATE TABLE consent_revocations (
  consent_id text PRIMARY KEY REFERENCES consents (id),
  revoked_at bigint NOT NULL,
  method text NOT NULL,
  recorded_by text NOT NULL
);
CREATE TABLE mandates (
  id text PRIMARY KEY,
  mandator_hash bytea NOT NULL,
  mandatary_hash bytea NOT NULL,
  categories text NOT NULL,
  purposes text NOT NULL,
  valid_from bigint NOT NULL,
  valid_until bigint NOT NULL,
  recorded_by text NOT NULL
);
CREATE TABLE mandate_revocations (
  mandate_id text PRIMARY KEY REFERENCES mandates (id),
  revoked_at bigint NOT NULL,
  method text NOT NULL,
  recorded_by text NOT NULL
);
CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER consent_revocations_append_only BEFORE UPDATE OR DELETE ON consent_revocations
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER mandates_append_only BEFORE UPDATE OR DELETE ON mandates
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER mandate_revocations_append_only BEFORE UPDATE OR DELETE ON mandate_revocations
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
)sql",
    // 2: the consent change feed that keeps every broker's index current, and the brokers that
    // follow it (broker/consent/consent_follower.hpp). The transaction lock orders change ids
    // by commit: a follower reading "after the last id I applied" never skips one that
    // committed late.
    R"sql(
CREATE TABLE consent_changes (
  change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('consent', 'mandate')),
  record_id text NOT NULL
);
CREATE FUNCTION pse_consent_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(5063984467634505);
  INSERT INTO consent_changes (kind, record_id) VALUES (TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]);
  PERFORM pg_notify('pse_consent_changes', '');
  RETURN NULL;
END $$;
CREATE TRIGGER consents_changed AFTER INSERT ON consents
  FOR EACH ROW EXECUTE FUNCTION pse_consent_changed('consent', 'id');
CREATE TRIGGER consent_revocations_changed AFTER INSERT ON consent_revocations
  FOR EACH ROW EXECUTE FUNCTION pse_consent_changed('consent', 'consent_id');
CREATE TRIGGER mandates_changed AFTER INSERT ON mandates
  FOR EACH ROW EXECUTE FUNCTION pse_consent_changed('mandate', 'id');
CREATE TRIGGER mandate_revocations_changed AFTER INSERT ON mandate_revocations
  FOR EACH ROW EXECUTE FUNCTION pse_consent_changed('mandate', 'mandate_id');
CREATE TABLE brokers (
  broker_id text PRIMARY KEY,
  applied_change bigint NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
)sql",
    // 3: the delivery queues of publish/subscribe (broker/queue/pg_queue_store.hpp), and the
    // subscriptions.
    R"sql(
CREATE TABLE queue_meta (
  id int PRIMARY KEY CHECK (id = 1),
  next_delivery_id bigint NOT NULL
);
INSERT INTO queue_meta (id, next_delivery_id) VALUES (1, 1);
-- Shared by every broker: this key is what recognises a retried publish wherever it lands.
CREATE TABLE queue_idempotency_keys (
  publisher text NOT NULL,
  idempotency_key text NOT NULL,
  event_id text NOT NULL,
  stored_at_us bigint NOT NULL,
  PRIMARY KEY (publisher, idempotency_key)
);
CREATE INDEX queue_idempotency_keys_by_time ON queue_idempotency_keys (stored_at_us);
CREATE TABLE queue_deliveries (
  id bigint PRIMARY KEY,
  subscriber text NOT NULL,
  ordering_key bytea NOT NULL,
  event_id text NOT NULL,
  publisher text NOT NULL,
  category text NOT NULL,
  dead boolean NOT NULL DEFAULT false,
  attempts bigint NOT NULL DEFAULT 0,
  next_attempt_us bigint NOT NULL,
  stored_at_us bigint NOT NULL,
  last_error text NOT NULL DEFAULT '',
  key_id text NOT NULL,
  nonce bytea NOT NULL,
  ciphertext bytea NOT NULL
);
CREATE INDEX queue_deliveries_by_key ON queue_deliveries (subscriber, ordering_key, id);
CREATE INDEX queue_dead_deliveries ON queue_deliveries (subscriber, id) WHERE dead;
CREATE TABLE queue_heads (
  subscriber text NOT NULL,
  ordering_key bytea NOT NULL,
  delivery_id bigint NOT NULL,
  due_us bigint NOT NULL,
  PRIMARY KEY (subscriber, ordering_key)
);
CREATE INDEX queue_heads_by_due ON queue_heads (subscriber, due_us, delivery_id);
CREATE INDEX queue_heads_by_id ON queue_heads (subscriber, delivery_id);
CREATE TABLE queue_subscriber_counts (
  subscriber text PRIMARY KEY,
  pending bigint NOT NULL,
  dead bigint NOT NULL
);

CREATE TABLE subscriptions (subscriber text NOT NULL, category text NOT NULL, purpose text NOT NULL, PRIMARY KEY (subscriber, category));
)sql",
    // 4: the audit tree's interior nodes at levels 8, 16, 24… (audit/tree_nodes.hpp), which
    // make proofs read O(log n) rows. Those of the log so far are computed here from its leaf
    // hashes, a level at a time (about 3 s per million entries, so no statement timeout);
    // then each commit adds the nodes it completes, and the end row cannot move past a
    // missing one: a broker of an older version still running fails its commits (503) rather
    // than leave holes that proofs would trip on.
    R"sql(
SET LOCAL statement_timeout = 0;
CREATE TABLE audit_tree_nodes (
  level int NOT NULL,
  node_index bigint NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (level, node_index)
);
DO $$
DECLARE
  depth int := 0;
  formed bigint;
BEGIN
  CREATE TEMP TABLE pse_children ON COMMIT DROP AS SELECT seq AS node_index, leaf_hash AS hash FROM audit_entries;
  LOOP
    depth := depth + 1;
    ANALYZE pse_children;
    CREATE TEMP TABLE pse_parents ON COMMIT DROP AS
      SELECT l.node_index / 2 AS node_index, sha256('\x01'::bytea || l.hash || r.hash) AS hash
      FROM pse_children l JOIN pse_children r ON r.node_index = l.node_index + 1
      WHERE l.node_index % 2 = 0;
    SELECT count(*) INTO formed FROM pse_parents;
    DROP TABLE pse_children;
    ALTER TABLE pse_parents RENAME TO pse_children;
    EXIT WHEN formed = 0;
    IF depth % 8 = 0 THEN
      INSERT INTO audit_tree_nodes (level, node_index, hash) SELECT depth, node_index, hash FROM pse_children;
    END IF;
  END LOOP;
  DROP TABLE pse_children;
END $$;
-- The newest complete node of each stored level must be there: every commit is checked, so
-- none before it can be missing either.
CREATE FUNCTION pse_audit_tree_nodes_present() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  depth int := 8;
BEGIN
  WHILE (NEW.entry_count >> depth) > 0 LOOP
    IF NOT EXISTS (SELECT 1 FROM audit_tree_nodes
                   WHERE level = depth AND node_index = (NEW.entry_count >> depth) - 1) THEN
      RAISE EXCEPTION 'the audit log cannot end at % entries without its tree node at level %', NEW.entry_count, depth
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    depth := depth + 8;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER audit_log_end_needs_tree_nodes AFTER UPDATE ON audit_log_end
  FOR EACH ROW EXECUTE FUNCTION pse_audit_tree_nodes_present();
CREATE TRIGGER audit_tree_nodes_append_only BEFORE UPDATE OR DELETE ON audit_tree_nodes
  FOR EACH ROW EXECUTE FUNCTION pse_append_only();
CREATE TRIGGER audit_tree_nodes_no_truncate BEFORE TRUNCATE ON audit_tree_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION pse_append_only();
)sql",
    // 5: a queue head taken by a broker names it (broker/queue/queue_store.hpp, ready_heads):
    // its due time is then the claim's end, and the claims of a broker that stopped
    // heartbeating in `brokers` are found by this index and ended early.
    R"sql(
ALTER TABLE queue_heads ADD COLUMN claimed_by text;
CREATE INDEX queue_heads_claimed ON queue_heads (claimed_by) WHERE claimed_by IS NOT NULL;
)sql",
    // 6: the tree-node check runs only when a commit completes a node of level 8 (every 256
    // entries): below that the newest node each level needs is the one already checked, and
    // nodes cannot be deleted. Most commits of a busy hub are smaller than 256 entries, and the
    // check was a PL/pgSQL call on each.
    R"sql(
DROP TRIGGER audit_log_end_needs_tree_nodes ON audit_log_end;
CREATE TRIGGER audit_log_end_needs_tree_nodes AFTER UPDATE ON audit_log_end
  FOR EACH ROW WHEN ((NEW.entry_count >> 8) <> (OLD.entry_count >> 8))
  EXECUTE FUNCTION pse_audit_tree_nodes_present();
)sql",
    // 7: exchanges answered once across brokers (broker/exchange/shared_requests.hpp). A claim
    // names the broker running a consumer's request id; the answer is written by the audit
    // commit that records the exchange, so it is there exactly when the entry is. Answers have
    // no unique key: nothing may make an audit commit fail. Times are microseconds since the
    // epoch, from the brokers' clocks.
    R"sql(
CREATE TABLE exchange_claims (
  consumer text NOT NULL,
  request_id text NOT NULL,
  broker_id text NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (consumer, request_id)
);
CREATE INDEX exchange_claims_expiry ON exchange_claims (expires_at);
CREATE TABLE exchange_answers (
  consumer text NOT NULL,
  request_id text NOT NULL,
  audit_seq bigint NOT NULL,
  status int NOT NULL,
  content_type text NOT NULL,
  body bytea NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX exchange_answers_request ON exchange_answers (consumer, request_id);
CREATE INDEX exchange_answers_expiry ON exchange_answers (expires_at);
)sql",
    // 8: the rule's obligations at the time of each entry (audit/audit_entry.hpp), comma-joined;
    // the entries of before have none. A constant default adds the column without rewriting
    // the table, and without an UPDATE that the append-only trigger would refuse.
    R"sql(
ALTER TABLE audit_entries ADD COLUMN obligations text NOT NULL DEFAULT '';
)sql",
    // 9: deliveries and heads have a priority, the category's availability rating D
    // (broker/queue/queue_store.hpp, ready_heads), read one index range per priority. The rows
    // stored before it get 3, the highest: accepted when the queue went in due order, they go
    // out in that order before anything published after. A constant default fills them without
    // rewriting the tables; dropped then, so that every insert names its priority.
    R"sql(
ALTER TABLE queue_deliveries ADD COLUMN priority smallint NOT NULL DEFAULT 3;
ALTER TABLE queue_deliveries ALTER COLUMN priority DROP DEFAULT;
ALTER TABLE queue_heads ADD COLUMN priority smallint NOT NULL DEFAULT 3;
ALTER TABLE queue_heads ALTER COLUMN priority DROP DEFAULT;
CREATE INDEX queue_heads_by_priority ON queue_heads (subscriber, priority, due_us, delivery_id);
)sql",
    // 10: the messages audit commits keep until they are sent (audit/audit_entry.hpp,
    // AuditRecord::outbox), written in the entries' own transaction.
    R"sql(
CREATE TABLE audit_outbox (seq bigint PRIMARY KEY, message bytea NOT NULL);
)sql",
    // 11: a mandate's recording time (NULL for those of before, which did not keep it), the
    // mandate under which a mandatary revoked a consent ('' when the subject did, as every
    // revocation of before), and mandates found by either party (GET
    // /v1/subjects/{subject}/mandates). No row is rewritten, so no append-only trigger fires;
    // the default stays, so that a broker of the version before, during a rolling upgrade,
    // still records revocations.
    R"sql(
ALTER TABLE mandates ADD COLUMN granted_at bigint;
ALTER TABLE consent_revocations ADD COLUMN mandate_id text NOT NULL DEFAULT '';
CREATE INDEX mandates_by_mandator ON mandates (mandator_hash);
CREATE INDEX mandates_by_mandatary ON mandates (mandatary_hash);
)sql",
});

// Any constant the brokers of one hub agree on: the lock that lets one of them migrate.
constexpr std::int64_t kMigrationLock = 0x505345'5348454d;  // "PSE" "SHEM"

PgStatus in_transaction(PgConnection& connection, const std::function<PgStatus()>& body) {
  if (auto begun = connection.execute_script("BEGIN"); !begun) return begun;
  PgStatus status = body();
  if (status) status = connection.execute_script("COMMIT");
  if (!status && connection.is_open()) (void)connection.execute_script("ROLLBACK");
  return status;
}

}  // namespace

int pg_schema_version() { return static_cast<int>(kMigrations.size()); }

PgResult<int> pg_database_version(PgConnection& connection) {
  auto table = connection.query("SELECT to_regclass('pse_schema') IS NOT NULL");
  if (!table) return table.error();
  if (table->text(0, 0) != "t") return 0;
  auto version = connection.query("SELECT version FROM pse_schema WHERE id = 1");
  if (!version) return version.error();
  return version->empty() ? 0 : static_cast<int>(version->integer(0, 0));
}

PgStatus migrate(PgConnection& connection) {
  return in_transaction(connection, [&]() -> PgStatus {
    if (auto locked = connection.execute("SELECT pg_advisory_xact_lock($1)", PgParams().integer(kMigrationLock));
        !locked) {
      return locked;
    }
    if (auto created = connection.execute_script(
            "CREATE TABLE IF NOT EXISTS pse_schema (id int PRIMARY KEY CHECK (id = 1), version int NOT NULL)");
        !created) {
      return created;
    }
    auto found = pg_database_version(connection);
    if (!found) return found.error();
    if (*found > pg_schema_version()) {
      return PgError{"the PostgreSQL store has schema version " + std::to_string(*found) +
                         ", newer than this program's " + std::to_string(pg_schema_version()) +
                         "; run the newer pse-broker, or restore a backup",
                     "", false};
    }
    for (int step = *found; step < pg_schema_version(); ++step) {
      if (auto applied = connection.execute_script(kMigrations[static_cast<std::size_t>(step)]); !applied) {
        PgError error = applied.error();
        error.message = "migrating the PostgreSQL store to version " + std::to_string(step + 1) + ": " + error.message;
        return error;
      }
    }
    return connection.execute(
        "INSERT INTO pse_schema (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
        PgParams().integer(pg_schema_version()));
  });
}

PgResult<PgConnection> connect_migrated(const PgConnectOptions& options) {
  auto connection = PgConnection::connect(options);
  if (!connection) return connection.error();
  if (auto migrated = migrate(*connection); !migrated) return migrated.error();
  return connection;
}

PgConnection connect_migrated_or_throw(const PgConnectOptions& options) {
  auto connection = connect_migrated(options);
  if (!connection) throw ConfigError("store.conninfo", 0, connection.error().message);
  return std::move(connection).value();
}

}  // namespace pse::store

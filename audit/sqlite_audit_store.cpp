#include "audit/sqlite_audit_store.hpp"

#include "audit/tree_nodes.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>

namespace pse::audit {
namespace {

// 2: the subject index became subject_index, written in runs (subject_index.hpp).
// 3: tree_nodes, the interior nodes that make proofs O(log n) (tree_nodes.hpp).
// 4: subject_runs and subject_index_layout: the subject index's runs are merged (subject_index.hpp).
// 5: audit_entries.obligations, the rule's obligations at the time (audit_entry.hpp).
// 6: outbox, the messages commits keep until they are sent (AuditRecord::outbox).
constexpr int schema_version = 6;
constexpr int obligations_version = 5;
constexpr int outbox_version = 6;

// In both the new schema and the upgrade from version 5.
constexpr std::string_view outbox_table = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  seq     INTEGER PRIMARY KEY,
  message BLOB NOT NULL
);
)sql";

// In both the new schema and the upgrade from version 1.
constexpr std::string_view subject_index_table = R"sql(
CREATE TABLE IF NOT EXISTS subject_index (
  run INTEGER NOT NULL,
  subject_hash BLOB NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (run, subject_hash, seq)
) WITHOUT ROWID;
)sql";

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS audit_entries (
  seq INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  consumer TEXT NOT NULL,
  provider TEXT NOT NULL,
  category TEXT NOT NULL,
  purpose TEXT NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  basis_type TEXT NOT NULL,
  basis TEXT NOT NULL,
  permitted_fields TEXT NOT NULL,
  payload_hash BLOB,
  subject_hash BLOB NOT NULL,
  leaf_hash BLOB NOT NULL,
  obligations TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS tree_heads (
  id INTEGER PRIMARY KEY,
  tree_size INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  root BLOB NOT NULL,
  previous BLOB NOT NULL,
  signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS tree_heads_by_size ON tree_heads(tree_size);
CREATE TABLE IF NOT EXISTS writer_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  frontier BLOB NOT NULL,
  indexed_upto INTEGER NOT NULL DEFAULT 0
);
)sql";

// In both the new schema and the upgrade from version 2.
constexpr std::string_view tree_nodes_table = R"sql(
CREATE TABLE IF NOT EXISTS tree_nodes (
  level INTEGER NOT NULL,
  node_index INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, node_index)
) WITHOUT ROWID;
)sql";

// In both the new schema and the upgrade from version 3. The layout is the one versions 2 and
// 3 used, so their runs keep their ids.
std::string subject_runs_tables() {
  const SubjectIndexLayout layout;
  return R"sql(
CREATE TABLE IF NOT EXISTS subject_runs (
  run INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('building', 'live', 'dropping'))
);
CREATE TABLE IF NOT EXISTS subject_index_layout (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  run_size INTEGER NOT NULL,
  fanout INTEGER NOT NULL
);
INSERT OR IGNORE INTO subject_index_layout (id, run_size, fanout) VALUES (1, )sql" +
         std::to_string(layout.run_size) + ", " + std::to_string(layout.fanout) + ");";
}

// Versions 2 and 3 listed no runs: the level-0 runs below indexed_upto were complete, and the
// one from it may have been half inserted. The writer merges them later, a slice per commit.
constexpr std::string_view list_version_3_runs = R"sql(
WITH RECURSIVE
  upto(runs) AS (SELECT coalesce(max(indexed_upto), 0) / 8192 FROM writer_state),
  complete(run) AS (SELECT 0 FROM upto WHERE runs > 0
                    UNION ALL SELECT run + 1 FROM complete, upto WHERE run + 1 < runs)
INSERT OR IGNORE INTO subject_runs (run, state) SELECT run, 'live' FROM complete;
INSERT OR IGNORE INTO subject_runs (run, state)
  SELECT runs, 'building' FROM (SELECT coalesce(max(indexed_upto), 0) / 8192 AS runs FROM writer_state)
  WHERE EXISTS (SELECT 1 FROM subject_index WHERE run = runs);
)sql";

// Versions 2 and 3 cut level-0 runs only, of this size.
constexpr std::int64_t version_3_run_size = 8192;

constexpr std::string_view insert_node_sql = "INSERT INTO tree_nodes (level, node_index, hash) VALUES (?, ?, ?)";

// Then SubjectIndexWriter::open fills subject_index, a run at a time.
constexpr std::string_view upgrade_from_1 = R"sql(
ALTER TABLE writer_state ADD COLUMN indexed_upto INTEGER NOT NULL DEFAULT 0;
DROP INDEX IF EXISTS audit_entries_by_subject;
PRAGMA user_version = 2;
)sql";

// The entries of before have none: as many columns as ADD COLUMN appends, with its default.
constexpr std::string_view upgrade_from_4 = "ALTER TABLE audit_entries ADD COLUMN obligations TEXT NOT NULL DEFAULT ''";

constexpr std::string_view entry_columns_before_obligations =
    "seq, time_us, request_id, consumer, provider, category, purpose, decision, reason, rule_id, "
    "basis_type, basis, permitted_fields, payload_hash, subject_hash, leaf_hash";

// A file of a version before 5 reads as entries without obligations.
std::string entry_columns(bool with_obligations) {
  return std::string(entry_columns_before_obligations) + (with_obligations ? ", obligations" : ", '' AS obligations");
}

constexpr std::string_view head_columns = "tree_size, time_us, root, previous, signature";

StoredEntry read_entry_row(const SqliteStatement& row) {
  StoredEntry stored;
  AuditEntry& entry = stored.entry;
  entry.seq = static_cast<std::uint64_t>(row.integer(0));
  entry.time = row.integer(1);
  entry.request_id = row.text(2);
  entry.consumer = row.text(3);
  entry.provider = row.text(4);
  entry.category = row.text(5);
  entry.purpose = row.text(6);
  const auto decision = decision_from_string(row.text(7));
  entry.reason = row.text(8);
  entry.rule_id = row.text(9);
  const auto basis_type = basis_type_from_string(row.text(10));
  entry.basis = row.text(11);
  entry.permitted_fields = split_fields(row.text(12));
  const auto payload_hash = row.hash(13);
  const auto subject_hash = row.hash(14);
  const auto recorded = row.hash(15);
  entry.obligations = split_fields(row.text(16));
  stored.well_formed = row.integer(0) >= 0 && decision && basis_type && subject_hash && recorded &&
                       (row.is_null(13) || payload_hash);
  if (decision) entry.decision = *decision;
  if (basis_type) entry.basis_type = *basis_type;
  entry.payload_hash = payload_hash;
  if (subject_hash) entry.subject_hash = *subject_hash;
  if (recorded) stored.recorded_leaf_hash = *recorded;
  return stored;
}

std::optional<SignedTreeHead> read_head_row(const SqliteStatement& row) {
  SignedTreeHead head;
  head.tree_size = static_cast<std::uint64_t>(row.integer(0));
  head.time = row.integer(1);
  const auto root = row.hash(2);
  const auto previous = row.hash(3);
  const std::string signature = row.blob(4);
  if (!root || !previous || signature.size() != head.signature.size() || row.integer(0) < 0) {
    return std::nullopt;
  }
  head.root = *root;
  head.previous = *previous;
  std::copy(signature.begin(), signature.end(), head.signature.begin());
  return head;
}

AuditError corrupt_head() {
  return make_error(AuditErrorCode::corrupt, "a stored tree head is malformed");
}

Status insert_node(SqliteStatement& insert, const MerkleNode& node) {
  insert.bind(1, static_cast<std::int64_t>(node.level));
  insert.bind(2, static_cast<std::int64_t>(node.index));
  insert.bind_blob(3, node.hash);
  return insert.run();
}

// The tree nodes of the log so far, from its recorded leaf hashes in one pass and O(log n)
// memory. They stop at the first missing or malformed entry, which verify reports (and the
// nodes left out with it).
Status add_tree_nodes(SqliteDatabase& database) {
  if (auto status = database.execute(tree_nodes_table); !status) return status;
  auto leaves = database.prepare("SELECT seq, leaf_hash FROM audit_entries ORDER BY seq");
  if (!leaves) return leaves.error();
  auto insert = database.prepare(insert_node_sql);
  if (!insert) return insert.error();
  MerkleFrontier frontier;
  std::vector<MerkleNode> nodes;
  while (true) {
    auto row = leaves->step();
    if (!row) return row.error();
    const auto leaf = *row ? leaves->hash(1) : std::nullopt;
    if (!leaf || leaves->integer(0) != static_cast<std::int64_t>(frontier.size())) return Ok{};
    append_leaf(frontier, *leaf, nodes);
    for (const MerkleNode& node : nodes) {
      if (auto status = insert_node(*insert, node); !status) return status;
    }
    nodes.clear();
  }
}

// Brings a file of an older version to this one, a version per transaction.
Status upgrade(SqliteDatabase& database, std::int64_t found_version) {
  const auto in_transaction = [&database](const std::function<Status()>& body, int to_version) -> Status {
    if (auto status = database.execute("BEGIN IMMEDIATE"); !status) return status;
    Status status = body();
    if (status) status = database.execute("PRAGMA user_version = " + std::to_string(to_version) + "; COMMIT");
    if (!status) {
      (void)database.execute("ROLLBACK");
      return make_error(AuditErrorCode::store_failed, "upgrading the audit schema to version " +
                                                          std::to_string(to_version) + ": " + status.error().message);
    }
    return Ok{};
  };
  if (found_version < 2) {
    auto status = in_transaction(
        [&] { return database.execute(std::string(subject_index_table) + std::string(upgrade_from_1)); }, 2);
    if (!status) return status;
  }
  if (found_version < 3) {
    if (auto status = in_transaction([&] { return add_tree_nodes(database); }, 3); !status) return status;
  }
  if (found_version < 4) {
    auto status = in_transaction(
        [&] { return database.execute(subject_runs_tables() + std::string(list_version_3_runs)); }, 4);
    if (!status) return status;
  }
  if (found_version < 5) {
    if (auto status = in_transaction([&] { return database.execute(upgrade_from_4); }, 5); !status) return status;
  }
  return in_transaction([&] { return database.execute(outbox_table); }, 6);
}

}  // namespace

Result<std::unique_ptr<SqliteAuditStore>> SqliteAuditStore::open(const std::filesystem::path& file,
                                                                 Access access, CheckpointSettings checkpoints) {
  auto database = SqliteDatabase::open(file, access == Access::writer
                                                 ? SqliteDatabase::Mode::read_write_create
                                                 : SqliteDatabase::Mode::read_only);
  if (!database) return database.error();
  std::unique_ptr<SqliteAuditStore> store(new SqliteAuditStore(std::move(database).value()));
  auto version = store->database_.prepare("PRAGMA user_version");
  if (!version) return version.error();
  auto has_row = version->step();
  if (!has_row) return make_error(AuditErrorCode::store_failed, file.string() + ": " + has_row.error().message);
  const auto found_version = version->integer(0);
  version->reset();
  store->schema_version_ = static_cast<int>(found_version);
  if (found_version > schema_version) {
    return make_error(AuditErrorCode::store_failed,
                      file.string() + ": audit schema version " + std::to_string(found_version) +
                          " is newer than this program (" + std::to_string(schema_version) + ")");
  }
  if (access == Access::read_only) return store;

  // WAL: readers never block the writer. synchronous=FULL: the WAL is fsync'ed at every
  // commit, so "durable" means surviving power loss. Checkpoints run on a thread of their own
  // (below), not inside the commit that crosses SQLite's automatic threshold: see
  // wal_checkpointer.hpp.
  // cache_size 8 MiB: a larger page cache costs every commit more (SQLite walks its hash
  // table) than it saves in reads, which the OS cache serves. Measured with audit_scale, a
  // subject per entry, 16 appends in flight, from 10^6 to 1.2·10^6 entries: 25,100
  // appends/s and 13.9 s of user CPU with 8 MiB, against 20,700/s and 20.7 s with 64 MiB.
  for (const std::string_view pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                                        "PRAGMA cache_size=-8192"}) {
    if (auto status = store->database_.execute(pragma); !status) return status.error();
  }
  if (found_version == 0) {
    if (auto status = store->database_.execute(std::string(schema) + std::string(subject_index_table) +
                                               std::string(tree_nodes_table) + subject_runs_tables() +
                                               std::string(outbox_table));
        !status) {
      return status.error();
    }
    if (auto status = store->database_.execute("PRAGMA user_version=" + std::to_string(schema_version));
        !status) {
      return status.error();
    }
  } else if (found_version < schema_version) {
    if (auto status = upgrade(store->database_, found_version); !status) {
      return make_error(AuditErrorCode::store_failed, file.string() + ": " + status.error().message);
    }
  }
  store->schema_version_ = schema_version;
  if (auto status = store->prepare_writer_statements(); !status) return status.error();
  auto checkpointer = WalCheckpointer::start(store->database_.handle(), file, checkpoints);
  if (!checkpointer) return checkpointer.error();
  store->checkpointer_ = std::move(checkpointer).value();
  auto subject_index = SubjectIndexWriter::open(store->database_);
  if (!subject_index) return subject_index.error();
  store->subject_index_.emplace(std::move(subject_index).value());
  return store;
}

Status SqliteAuditStore::prepare_writer_statements() {
  auto insert_entry = database_.prepare("INSERT INTO audit_entries (" + entry_columns(true) +
                                        ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert_entry) return insert_entry.error();
  auto insert_head = database_.prepare("INSERT INTO tree_heads (" + std::string(head_columns) +
                                       ") VALUES (?,?,?,?,?)");
  if (!insert_head) return insert_head.error();
  auto save_frontier =
      database_.prepare("INSERT OR REPLACE INTO writer_state (id, frontier, indexed_upto) VALUES (1, ?, ?)");
  if (!save_frontier) return save_frontier.error();
  auto insert_node = database_.prepare(insert_node_sql);
  if (!insert_node) return insert_node.error();
  auto insert_outbox = database_.prepare("INSERT INTO outbox (seq, message) VALUES (?, ?)");
  if (!insert_outbox) return insert_outbox.error();
  auto delete_outbox = database_.prepare("DELETE FROM outbox WHERE seq = ?");
  if (!delete_outbox) return delete_outbox.error();
  // Prepared once: sqlite3_exec would parse these three on every commit.
  auto begin = database_.prepare("BEGIN IMMEDIATE");
  if (!begin) return begin.error();
  auto commit = database_.prepare("COMMIT");
  if (!commit) return commit.error();
  auto rollback = database_.prepare("ROLLBACK");
  if (!rollback) return rollback.error();
  begin_ = std::move(begin).value();
  commit_ = std::move(commit).value();
  rollback_ = std::move(rollback).value();
  insert_entry_ = std::move(insert_entry).value();
  insert_head_ = std::move(insert_head).value();
  save_frontier_ = std::move(save_frontier).value();
  insert_node_ = std::move(insert_node).value();
  insert_outbox_ = std::move(insert_outbox).value();
  delete_outbox_ = std::move(delete_outbox).value();
  return Ok{};
}

Result<WriterState> SqliteAuditStore::load_writer_state() {
  WriterState state;
  auto frontier_query = database_.prepare("SELECT frontier FROM writer_state WHERE id = 1");
  if (!frontier_query) return frontier_query.error();
  auto has_frontier = frontier_query->step();
  if (!has_frontier) return has_frontier.error();
  if (*has_frontier) {
    auto frontier = MerkleFrontier::deserialize(frontier_query->blob(0));
    if (!frontier) return make_error(AuditErrorCode::corrupt, "the stored Merkle frontier is malformed");
    state.frontier = std::move(*frontier);
  }
  auto max_seq = database_.prepare("SELECT max(seq) FROM audit_entries");
  if (!max_seq) return max_seq.error();
  if (auto row = max_seq->step(); !row) return row.error();
  state.entry_count = max_seq->is_null(0) ? 0 : static_cast<std::uint64_t>(max_seq->integer(0)) + 1;
  auto latest = latest_tree_head();
  if (!latest) return latest.error();
  state.latest_head = *latest;

  // The three are written in one transaction, so they agree unless someone else wrote here.
  const std::uint64_t head_size = state.latest_head ? state.latest_head->tree_size : 0;
  if (state.entry_count != state.frontier.size() || head_size != state.frontier.size()) {
    return make_error(AuditErrorCode::corrupt,
                      "the log holds entries up to seq " + std::to_string(state.entry_count) +
                          " but its writer state covers " + std::to_string(state.frontier.size()) +
                          " and its latest tree head " + std::to_string(head_size) +
                          "; run pse-audit verify");
  }
  if (state.latest_head && state.latest_head->root != state.frontier.root()) {
    return make_error(AuditErrorCode::corrupt,
                      "the writer state does not match the latest signed tree head; run pse-audit verify");
  }
  return state;
}

Status SqliteAuditStore::insert_head(const SignedTreeHead& head) {
  insert_head_.bind(1, static_cast<std::int64_t>(head.tree_size));
  insert_head_.bind(2, head.time);
  insert_head_.bind_blob(3, head.root);
  insert_head_.bind_blob(4, head.previous);
  insert_head_.bind_blob(5, head.signature);
  return insert_head_.run();
}

Status SqliteAuditStore::commit_in_transaction(std::span<const AuditEntry> entries, const SealedBatch& sealed) {
  const std::span<const Hash> leaf_hashes = sealed.leaf_hashes;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& entry = entries[i];
    SqliteStatement& insert = insert_entry_;
    insert.bind(1, static_cast<std::int64_t>(entry.seq));
    insert.bind(2, entry.time);
    insert.bind(3, entry.request_id);
    insert.bind(4, entry.consumer);
    insert.bind(5, entry.provider);
    insert.bind(6, entry.category);
    insert.bind(7, entry.purpose);
    insert.bind(8, to_string(entry.decision));
    insert.bind(9, entry.reason);
    insert.bind(10, entry.rule_id);
    insert.bind(11, to_string(entry.basis_type));
    insert.bind(12, entry.basis);
    insert.bind(13, join_fields(entry.permitted_fields));
    if (entry.payload_hash) {
      insert.bind_blob(14, *entry.payload_hash);
    } else {
      insert.bind_null(14);
    }
    insert.bind_blob(15, entry.subject_hash);
    insert.bind_blob(16, leaf_hashes[i]);
    insert.bind(17, join_fields(entry.obligations));
    if (auto status = insert.run(); !status) return status;
    if (entry.outbox) {
      insert_outbox_.bind(1, static_cast<std::int64_t>(entry.seq));
      insert_outbox_.bind_blob(2, as_bytes(*entry.outbox));
      if (auto status = insert_outbox_.run(); !status) return status;
    }
  }
  for (const MerkleNode& node : sealed.nodes) {
    if (auto status = insert_node(insert_node_, node); !status) return status;
  }
  auto indexed_upto = subject_index_->add(entries);
  if (!indexed_upto) return indexed_upto.error();
  if (auto status = insert_head(sealed.head); !status) return status;
  const std::string serialized = sealed.frontier.serialize();
  save_frontier_.bind_blob(1, as_bytes(serialized));
  save_frontier_.bind(2, static_cast<std::int64_t>(*indexed_upto));
  return save_frontier_.run();
}

Status SqliteAuditStore::commit(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent,
                                const Sealer& seal) {
  if (needs_recovery_) return make_error(AuditErrorCode::store_failed, "a failed commit has not been recovered from");
  // One writer per file: the end of the log it committed last is the end, kept in memory.
  if (!tip_) {
    auto state = load_writer_state();
    if (!state) return state.error();
    tip_ = std::move(state).value();
  }
  if (auto status = begin_.run(); !status) return status;
  SealedBatch sealed = seal(*tip_, entries);
  Status status = entries.empty() ? insert_head(sealed.head) : commit_in_transaction(entries, sealed);
  if (status) status = remove_outbox(outbox_sent);
  if (status) status = commit_.run();
  if (!status) {
    needs_recovery_ = true;
    tip_.reset();
    (void)recover();
    return status;
  }
  tip_->entry_count += entries.size();
  if (!entries.empty()) tip_->frontier = std::move(sealed.frontier);
  tip_->latest_head = std::move(sealed.head);
  return Ok{};
}

Status SqliteAuditStore::recover() {
  tip_.reset();
  if (!needs_recovery_) return Ok{};
  // SQLite rolls some failures back by itself (SQLITE_FULL may, SQLITE_BUSY does not): end
  // what is left. The rows of the failed batch are gone either way; the subject index's
  // memory is rebuilt from what is committed.
  if (database_.in_transaction()) {
    if (auto status = rollback_.run(); !status) return status;
  }
  if (auto status = subject_index_->reload(); !status) return status;
  needs_recovery_ = false;
  return Ok{};
}

Status SqliteAuditStore::read_entries(std::uint64_t begin, std::uint64_t end, const EntryVisitor& visit) {
  auto select = database_.prepare("SELECT " + entry_columns(has_obligations()) +
                                  " FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  if (!select) return select.error();
  select->bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(begin, INT64_MAX)));
  select->bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(end, INT64_MAX)));
  while (true) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return Ok{};
    if (!visit(read_entry_row(*select))) return Ok{};
  }
}

Result<std::vector<Hash>> SqliteAuditStore::read_leaf_hashes(std::uint64_t begin, std::uint64_t end) {
  auto select = database_.prepare("SELECT seq, leaf_hash FROM audit_entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  if (!select) return select.error();
  select->bind(1, static_cast<std::int64_t>(begin));
  select->bind(2, static_cast<std::int64_t>(end));
  std::vector<Hash> hashes;
  hashes.reserve(end > begin ? end - begin : 0);
  while (true) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    const auto hash = select->hash(1);
    if (static_cast<std::uint64_t>(select->integer(0)) != begin + hashes.size() || !hash) {
      return make_error(AuditErrorCode::corrupt,
                        "entry " + std::to_string(begin + hashes.size()) + " is missing or malformed");
    }
    hashes.push_back(*hash);
  }
  if (hashes.size() != end - begin) {
    return make_error(AuditErrorCode::corrupt, "entry " + std::to_string(begin + hashes.size()) + " is missing");
  }
  return hashes;
}

Result<std::vector<OutboxMessage>> SqliteAuditStore::read_outbox() {
  std::vector<OutboxMessage> messages;
  // A reader may have opened the file before a writer upgraded it: the version is read now.
  auto version = database_.prepare("PRAGMA user_version");
  if (!version) return version.error();
  if (auto row = version->step(); !row) return row.error();
  if (version->integer(0) < outbox_version) return messages;
  auto select = database_.prepare("SELECT seq, message FROM outbox ORDER BY seq");
  if (!select) return select.error();
  while (true) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return messages;
    messages.push_back(OutboxMessage{static_cast<std::uint64_t>(select->integer(0)), select->blob(1)});
  }
}

Status SqliteAuditStore::remove_outbox(std::span<const std::uint64_t> seqs) {
  for (const std::uint64_t seq : seqs) {
    delete_outbox_.bind(1, static_cast<std::int64_t>(seq));
    if (auto status = delete_outbox_.run(); !status) return status;
  }
  return Ok{};
}

Status SqliteAuditStore::delete_outbox(std::span<const std::uint64_t> seqs) {
  if (seqs.empty()) return Ok{};
  if (auto status = begin_.run(); !status) return status;
  Status status = remove_outbox(seqs);
  if (status) status = commit_.run();
  if (!status) (void)rollback_.run();
  return status;
}

Result<bool> SqliteAuditStore::has_tree_nodes() { return schema_version_ >= 3; }

bool SqliteAuditStore::has_obligations() {
  // A reader may have opened the file before a writer upgraded it: it looks again until it
  // sees the column, or the entries written since would read without their obligations.
  if (!has_obligations_) {
    auto version = database_.prepare("PRAGMA user_version");
    if (version) {
      auto row = version->step();
      has_obligations_ = row && *row && version->integer(0) >= obligations_version;
    }
  }
  return has_obligations_;
}

Status SqliteAuditStore::read_tree_nodes(unsigned level, std::uint64_t begin, std::uint64_t end,
                                         const NodeVisitor& visit) {
  if (schema_version_ < 3) return Ok{};
  auto select = database_.prepare(
      "SELECT node_index, hash FROM tree_nodes WHERE level = ? AND node_index >= ? AND node_index < ? ORDER BY node_index");
  if (!select) return select.error();
  select->bind(1, static_cast<std::int64_t>(level));
  select->bind(2, static_cast<std::int64_t>(std::min<std::uint64_t>(begin, INT64_MAX)));
  select->bind(3, static_cast<std::int64_t>(std::min<std::uint64_t>(end, INT64_MAX)));
  while (true) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return Ok{};
    const auto hash = select->hash(1);
    if (!visit(StoredNode{static_cast<std::uint64_t>(select->integer(0)), hash.value_or(Hash{}), hash.has_value()})) {
      return Ok{};
    }
  }
}

Result<std::uint64_t> SqliteAuditStore::count_tree_nodes(std::uint64_t tree_size) {
  if (schema_version_ < 3) return std::uint64_t{0};
  // Rows at a level no shift can reach are nobody's nodes: counted, as strays.
  auto select = database_.prepare(
      "SELECT count(*) FROM tree_nodes WHERE level NOT BETWEEN 0 AND 62 OR node_index < (? >> level)");
  if (!select) return select.error();
  select->bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(tree_size, INT64_MAX)));
  auto row = select->step();
  if (!row) return row.error();
  return static_cast<std::uint64_t>(select->integer(0));
}

Status SqliteAuditStore::read_tree_heads(const HeadVisitor& visit) {
  auto select = database_.prepare("SELECT " + std::string(head_columns) + " FROM tree_heads ORDER BY id");
  if (!select) return select.error();
  while (true) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return Ok{};
    const auto head = read_head_row(*select);
    if (!visit(head ? StoredTreeHead{*head, true} : StoredTreeHead{SignedTreeHead{}, false})) return Ok{};
  }
}

Result<std::optional<SignedTreeHead>> SqliteAuditStore::latest_tree_head() {
  auto select = database_.prepare("SELECT " + std::string(head_columns) + " FROM tree_heads ORDER BY id DESC LIMIT 1");
  if (!select) return select.error();
  auto row = select->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SignedTreeHead>();
  const auto head = read_head_row(*select);
  if (!head) return corrupt_head();
  return head;
}

Result<std::optional<SignedTreeHead>> SqliteAuditStore::tree_head_at(std::uint64_t tree_size) {
  auto select = database_.prepare("SELECT " + std::string(head_columns) +
                                  " FROM tree_heads WHERE tree_size = ? ORDER BY id DESC LIMIT 1");
  if (!select) return select.error();
  select->bind(1, static_cast<std::int64_t>(tree_size));
  auto row = select->step();
  if (!row) return row.error();
  if (!*row) return std::optional<SignedTreeHead>();
  const auto head = read_head_row(*select);
  if (!head) return corrupt_head();
  return head;
}

Result<std::uint64_t> SqliteAuditStore::count_entries() {
  auto select = database_.prepare("SELECT count(*) FROM audit_entries");
  if (!select) return select.error();
  auto row = select->step();
  if (!row) return row.error();
  return static_cast<std::uint64_t>(select->integer(0));
}

Status SqliteAuditStore::query(const EntryFilter& filter, const EntryVisitor& visit) {
  std::string conditions;
  if (filter.consumer) conditions += " AND consumer = ?2";
  if (filter.provider) conditions += " AND provider = ?3";
  if (filter.category) conditions += " AND category = ?4";
  if (filter.decision) conditions += " AND decision = ?5";
  if (filter.since) conditions += " AND time_us >= ?6";
  if (filter.until) conditions += " AND time_us < ?7";
  const std::string select_entries = "SELECT " + entry_columns(has_obligations()) + " FROM audit_entries WHERE ";
  std::string sql;
  std::int64_t indexed_upto = 0;
  if (!filter.subject_hash) {
    sql = select_entries + "1=1" + conditions;
  } else if (schema_version_ < 2) {
    sql = select_entries + "subject_hash = ?1" + conditions;
  } else if (schema_version_ < 4) {
    // A file no writer has upgraded yet: one seek per level-0 run below indexed_upto (CROSS
    // JOIN keeps the runs as the outer loop), then the entries not indexed yet. indexed_upto
    // only grows there: read before the query, it can only be too low, which costs a longer
    // scan and loses nothing.
    auto upto = database_.prepare("SELECT coalesce(max(indexed_upto), 0) FROM writer_state");
    if (!upto) return upto.error();
    if (auto row = upto->step(); !row) return row.error();
    indexed_upto = upto->integer(0) / version_3_run_size * version_3_run_size;
    sql = "WITH RECURSIVE runs(run) AS (SELECT 0 WHERE ?9 > 0 UNION ALL SELECT run + 1 FROM runs WHERE run + 1 < ?9) " +
          select_entries +
          "seq IN (SELECT s.seq FROM runs CROSS JOIN subject_index AS s ON s.run = runs.run AND s.subject_hash = ?1)"
          " AND subject_hash = ?1" + conditions + " UNION ALL " + select_entries +
          "seq >= ?10 AND subject_hash = ?1" + conditions;
  } else {
    // One seek per live run (CROSS JOIN keeps the runs as the outer loop), then the entries
    // not indexed yet. The live runs cover [0, indexed_upto) exactly, each entry once, in every
    // committed state, also while a merge is half done: its run is building and its children
    // live, or it is live and they are dropping. So the runs, their rows and indexed_upto are
    // read in this one statement, which SQLite runs in one snapshot; read apart, a merge
    // committed in between could hide entries or show them twice.
    sql = select_entries +
          "seq IN (SELECT s.seq FROM subject_runs AS r CROSS JOIN subject_index AS s"
          " ON s.run = r.run AND s.subject_hash = ?1 WHERE r.state = 'live')"
          " AND subject_hash = ?1" + conditions + " UNION ALL " + select_entries +
          "seq >= (SELECT coalesce(max(indexed_upto), 0) FROM writer_state) AND subject_hash = ?1" + conditions;
  }
  sql += " ORDER BY seq";
  if (filter.limit) sql += " LIMIT ?8";
  auto select = database_.prepare(sql);
  if (!select) return select.error();
  if (filter.subject_hash) select->bind_blob(1, *filter.subject_hash);
  if (filter.consumer) select->bind(2, *filter.consumer);
  if (filter.provider) select->bind(3, *filter.provider);
  if (filter.category) select->bind(4, *filter.category);
  if (filter.decision) select->bind(5, to_string(*filter.decision));
  if (filter.since) select->bind(6, *filter.since);
  if (filter.until) select->bind(7, *filter.until);
  if (filter.limit) select->bind(8, static_cast<std::int64_t>(*filter.limit));
  if (filter.subject_hash && schema_version_ >= 2 && schema_version_ < 4) {
    select->bind(9, indexed_upto / version_3_run_size);
    select->bind(10, indexed_upto);
  }
  while (true) {
    auto row = select->step();
    if (!row) return row.error();
    if (!*row) return Ok{};
    if (!visit(read_entry_row(*select))) return Ok{};
  }
}

Result<std::optional<std::string>> SqliteAuditStore::check_subject_index() {
  if (schema_version_ < 2) return std::optional<std::string>();  // SQLite's own index
  return audit::check_subject_index(database_, schema_version_);
}

}  // namespace pse::audit

#include "audit/pg_audit_store.hpp"

#include "audit/tree_nodes.hpp"
#include "store/pg_schema.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace pse::audit {
namespace {

constexpr std::string_view kEntryColumnsBeforeObligations =
    "seq, time_us, request_id, consumer, provider, category, purpose, decision, reason, rule_id, "
    "basis_type, basis, permitted_fields, payload_hash, subject_hash, leaf_hash";
// The schema version that added audit_entries.obligations (store/pg_schema.cpp).
constexpr int kObligationsVersion = 8;
constexpr int kOutboxVersion = 10;

// A database no writer has migrated to version 8 yet reads as entries without obligations.
std::string entry_columns(bool with_obligations) {
  return std::string(kEntryColumnsBeforeObligations) + (with_obligations ? ", obligations" : ", '' AS obligations");
}
constexpr std::string_view kHeadColumns = "tree_size, time_us, root, previous, signature";
// Rows read per round trip: a scan of the whole log never holds more than this in memory.
constexpr std::int64_t kPageRows = 10'000;
// Tree nodes per INSERT: a batch of 1,024 entries completes four or five.
constexpr std::size_t kNodesPerInsert = 32;

std::int64_t as_int(std::uint64_t value) { return static_cast<std::int64_t>(std::min<std::uint64_t>(value, INT64_MAX)); }

StoredEntry read_entry_row(const PgRows& rows, int row) {
  StoredEntry stored;
  AuditEntry& entry = stored.entry;
  entry.seq = static_cast<std::uint64_t>(rows.integer(row, 0));
  entry.time = rows.integer(row, 1);
  entry.request_id = std::string(rows.text(row, 2));
  entry.consumer = std::string(rows.text(row, 3));
  entry.provider = std::string(rows.text(row, 4));
  entry.category = std::string(rows.text(row, 5));
  entry.purpose = std::string(rows.text(row, 6));
  const auto decision = decision_from_string(rows.text(row, 7));
  entry.reason = std::string(rows.text(row, 8));
  entry.rule_id = std::string(rows.text(row, 9));
  const auto basis_type = basis_type_from_string(rows.text(row, 10));
  entry.basis = std::string(rows.text(row, 11));
  entry.permitted_fields = split_fields(rows.text(row, 12));
  const auto payload_hash = rows.hash(row, 13);
  const auto subject_hash = rows.hash(row, 14);
  const auto recorded = rows.hash(row, 15);
  entry.obligations = split_fields(rows.text(row, 16));
  stored.well_formed = rows.integer(row, 0) >= 0 && decision && basis_type && subject_hash && recorded &&
                       (rows.is_null(row, 13) || payload_hash);
  if (decision) entry.decision = *decision;
  if (basis_type) entry.basis_type = *basis_type;
  entry.payload_hash = payload_hash;
  if (subject_hash) entry.subject_hash = *subject_hash;
  if (recorded) stored.recorded_leaf_hash = *recorded;
  return stored;
}

std::optional<SignedTreeHead> read_head_row(const PgRows& rows, int row) {
  SignedTreeHead head;
  head.tree_size = static_cast<std::uint64_t>(rows.integer(row, 0));
  head.time = rows.integer(row, 1);
  const auto root = rows.hash(row, 2);
  const auto previous = rows.hash(row, 3);
  const std::string signature = rows.bytes(row, 4);
  if (!root || !previous || signature.size() != head.signature.size() || rows.integer(row, 0) < 0) {
    return std::nullopt;
  }
  head.root = *root;
  head.previous = *previous;
  std::copy(signature.begin(), signature.end(), head.signature.begin());
  return head;
}

AuditError corrupt_head() { return make_error(AuditErrorCode::corrupt, "a stored tree head is malformed"); }

// One entry as a line of COPY's text format, in entry_columns(true) order.
void append_copy_row(std::string& out, const AuditEntry& entry, const Hash& leaf_hash) {
  auto field = [&out](std::string_view text) {
    out += copy_escape_text(text);
    out += '\t';
  };
  field(std::to_string(entry.seq));
  field(std::to_string(entry.time));
  field(entry.request_id);
  field(entry.consumer);
  field(entry.provider);
  field(entry.category);
  field(entry.purpose);
  field(to_string(entry.decision));
  field(entry.reason);
  field(entry.rule_id);
  field(to_string(entry.basis_type));
  field(entry.basis);
  field(join_fields(entry.permitted_fields));
  out += entry.payload_hash ? copy_bytes(*entry.payload_hash) : "\\N";
  out += '\t';
  out += copy_bytes(entry.subject_hash);
  out += '\t';
  out += copy_bytes(leaf_hash);
  out += '\t';
  out += copy_escape_text(join_fields(entry.obligations));
  out += '\n';
}

// One round trip per kNodesPerInsert nodes; before the end row moves, which a trigger refuses
// to do past a missing node (store/pg_schema.cpp).
PgStatus insert_nodes(PgConnection& connection, std::span<const MerkleNode> nodes) {
  for (std::size_t done = 0; done < nodes.size(); done += kNodesPerInsert) {
    const auto chunk = nodes.subspan(done, std::min(kNodesPerInsert, nodes.size() - done));
    std::string sql = "INSERT INTO audit_tree_nodes (level, node_index, hash) VALUES ";
    PgParams params;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      const auto parameter = [i](std::size_t column) { return "$" + std::to_string(3 * i + column); };
      sql += (i == 0 ? "(" : ", (") + parameter(1) + ", " + parameter(2) + ", " + parameter(3) + ")";
      params.integer(chunk[i].level).integer(as_int(chunk[i].index)).bytes(chunk[i].hash);
    }
    if (auto inserted = connection.execute(sql, params); !inserted) return inserted;
  }
  return Ok{};
}

// The answers of the exchanges these entries record, for their retries on any broker
// (KeptAnswer): in the entries' own transaction, so that one is durable exactly when the other is.
PgStatus insert_answers(PgConnection& connection, std::span<const AuditEntry> entries) {
  std::string rows;
  for (const AuditEntry& entry : entries) {
    if (!entry.answer) continue;
    const KeptAnswer& answer = *entry.answer;
    rows += copy_escape_text(entry.consumer) + '\t' + copy_escape_text(entry.request_id) + '\t' +
            std::to_string(entry.seq) + '\t' + std::to_string(answer.status) + '\t' +
            copy_escape_text(answer.content_type) + '\t' + copy_bytes(as_bytes(answer.body)) + '\t' +
            std::to_string(answer.expires) + '\n';
  }
  if (rows.empty()) return Ok{};
  return connection.copy_in("exchange_answers (consumer, request_id, audit_seq, status, content_type, body, expires_at)",
                            rows);
}

// The messages to send because of these entries (AuditRecord::outbox), in their transaction.
PgStatus insert_outbox(PgConnection& connection, std::span<const AuditEntry> entries) {
  std::string rows;
  for (const AuditEntry& entry : entries) {
    if (!entry.outbox) continue;
    rows += std::to_string(entry.seq) + '\t' + copy_bytes(as_bytes(*entry.outbox)) + '\n';
  }
  if (rows.empty()) return Ok{};
  return connection.copy_in("audit_outbox (seq, message)", rows);
}

// The messages sent since (AuditLog::outbox_done); in the commit's transaction, or on their own.
PgStatus remove_outbox(PgConnection& connection, std::span<const std::uint64_t> seqs) {
  if (seqs.empty()) return Ok{};
  std::string list;
  for (const std::uint64_t seq : seqs) list += (list.empty() ? "" : ",") + std::to_string(seq);
  return connection.execute("DELETE FROM audit_outbox WHERE seq IN (" + list + ")");
}

}  // namespace

Result<std::unique_ptr<PgAuditStore>> PgAuditStore::open(const PgConnectOptions& options, Access access) {
  if (access == Access::writer) {
    auto connection = store::connect_migrated(options);
    if (!connection) return connection.error();
    return std::unique_ptr<PgAuditStore>(new PgAuditStore(std::move(connection).value()));
  }
  auto connection = PgConnection::connect(options);
  if (!connection) return connection.error();
  auto version = store::pg_database_version(*connection);
  if (!version) return version.error();
  if (*version == 0) return make_error(AuditErrorCode::store_failed, "no PSE audit log in this database");
  if (*version > store::pg_schema_version()) {
    return make_error(AuditErrorCode::store_failed, "the database's schema version " + std::to_string(*version) +
                                                        " is newer than this program's " +
                                                        std::to_string(store::pg_schema_version()));
  }
  return std::unique_ptr<PgAuditStore>(new PgAuditStore(std::move(connection).value()));
}

Status PgAuditStore::usable() {
  if (connection_.is_open()) return Ok{};
  if (auto reconnected = connection_.reconnect(); !reconnected) return reconnected.error();
  return Ok{};
}

Result<WriterState> PgAuditStore::read_end(bool for_update, std::int64_t& head_id) {
  auto end = connection_.query(for_update
                                   ? "SELECT entry_count, frontier, head_id FROM audit_log_end WHERE id = 1 FOR UPDATE"
                                   : "SELECT entry_count, frontier, head_id FROM audit_log_end WHERE id = 1");
  if (!end) return end.error();
  if (end->empty()) return make_error(AuditErrorCode::corrupt, "the audit log's end row is missing");
  WriterState state;
  state.entry_count = static_cast<std::uint64_t>(end->integer(0, 0));
  auto frontier = MerkleFrontier::deserialize(end->bytes(0, 1));
  if (!frontier) return make_error(AuditErrorCode::corrupt, "the stored Merkle frontier is malformed");
  state.frontier = std::move(*frontier);
  head_id = end->is_null(0, 2) ? 0 : end->integer(0, 2);
  if (head_id != 0) {
    auto head = connection_.query("SELECT " + std::string(kHeadColumns) + " FROM audit_tree_heads WHERE id = $1",
                                  PgParams().integer(head_id));
    if (!head) return head.error();
    if (head->empty()) return make_error(AuditErrorCode::corrupt, "the audit log's latest head is missing");
    state.latest_head = read_head_row(*head, 0);
    if (!state.latest_head) return corrupt_head();
  }
  // The three are written in one transaction, so they agree unless someone else wrote here.
  const std::uint64_t head_size = state.latest_head ? state.latest_head->tree_size : 0;
  if (state.entry_count != state.frontier.size() || head_size != state.frontier.size()) {
    return make_error(AuditErrorCode::corrupt, "the log's end says " + std::to_string(state.entry_count) +
                                                   " entries but its frontier covers " +
                                                   std::to_string(state.frontier.size()) + " and its latest head " +
                                                   std::to_string(head_size) + "; run pse-audit verify");
  }
  if (state.latest_head && state.latest_head->root != state.frontier.root()) {
    return make_error(AuditErrorCode::corrupt,
                      "the log's frontier does not match its latest signed tree head; run pse-audit verify");
  }
  return state;
}

Result<WriterState> PgAuditStore::load_writer_state() {
  if (auto status = usable(); !status) return status.error();
  std::int64_t head_id = 0;
  return read_end(false, head_id);
}

Status PgAuditStore::commit_in_transaction(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent,
                                           const Sealer& seal, WriterState& tip, std::int64_t& head_id) {
  // The lock on the end row orders this batch after every batch committed before it, by any
  // broker. BEGIN goes in the same round trip: a commit is a handful of them, each a wait.
  auto end = connection_.query_script("BEGIN; SELECT entry_count, head_id FROM audit_log_end WHERE id = 1 FOR UPDATE");
  if (!end) return end.error();
  if (end->empty()) return make_error(AuditErrorCode::corrupt, "the audit log's end row is missing");
  const auto count = static_cast<std::uint64_t>(end->integer(0, 0));
  const std::int64_t end_head = end->is_null(0, 1) ? 0 : end->integer(0, 1);
  if (tip_ && tip_->entry_count == count && tip_head_id_ == end_head) {
    tip = *tip_;
    head_id = end_head;
  } else {
    auto state = read_end(false, head_id);  // another broker appended: its frontier, read under our lock
    if (!state) return state.error();
    tip = std::move(state).value();
  }

  SealedBatch sealed = seal(tip, entries);
  if (!entries.empty()) {
    std::string rows;
    rows.reserve(entries.size() * 400);
    for (std::size_t i = 0; i < entries.size(); ++i) append_copy_row(rows, entries[i], sealed.leaf_hashes[i]);
    if (auto copied = connection_.copy_in("audit_entries (" + entry_columns(true) + ")", rows); !copied) {
      return copied.error();
    }
    if (auto inserted = insert_nodes(connection_, sealed.nodes); !inserted) return inserted.error();
    if (auto kept = insert_answers(connection_, entries); !kept) return kept.error();
    if (auto kept = insert_outbox(connection_, entries); !kept) return kept.error();
  }
  if (auto removed = remove_outbox(connection_, outbox_sent); !removed) return removed.error();
  // The head and the end row that points at it, in one statement.
  const SignedTreeHead& head = sealed.head;
  const std::string frontier = sealed.frontier.serialize();
  auto ended = connection_.query("WITH head AS (INSERT INTO audit_tree_heads (" + std::string(kHeadColumns) +
                                     ") VALUES ($1, $2, $3, $4, $5) RETURNING id) "
                                     "UPDATE audit_log_end SET entry_count = $7, frontier = $6, "
                                     "head_id = (SELECT id FROM head) WHERE id = 1 RETURNING head_id",
                                 PgParams()
                                     .integer(as_int(head.tree_size))
                                     .integer(head.time)
                                     .bytes(head.root)
                                     .bytes(head.previous)
                                     .bytes(head.signature)
                                     .bytes(frontier)
                                     .integer(as_int(sealed.frontier.size())));
  if (!ended) return ended.error();
  if (ended->empty()) return make_error(AuditErrorCode::corrupt, "the audit log's end row is missing");
  head_id = ended->integer(0, 0);
  if (auto committed = connection_.execute_script("COMMIT"); !committed) return committed.error();
  tip.entry_count = sealed.frontier.size();
  tip.frontier = std::move(sealed.frontier);
  tip.latest_head = head;
  return Ok{};
}

Status PgAuditStore::commit(std::span<AuditEntry> entries, std::span<const std::uint64_t> outbox_sent,
                            const Sealer& seal) {
  if (needs_recovery_) return make_error(AuditErrorCode::store_failed, "a failed commit has not been recovered from");
  if (auto status = usable(); !status) return status;
  WriterState tip;
  std::int64_t head_id = 0;
  if (Status status = commit_in_transaction(entries, outbox_sent, seal, tip, head_id); !status) {
    needs_recovery_ = true;
    tip_.reset();
    (void)recover();
    return status;
  }
  tip_ = std::move(tip);
  tip_head_id_ = head_id;
  return Ok{};
}

Status PgAuditStore::recover() {
  tip_.reset();
  if (!needs_recovery_) return Ok{};
  // A lost connection took its transaction with it; otherwise end it here.
  if (connection_.is_open()) {
    if (auto rolled_back = connection_.execute_script("ROLLBACK"); !rolled_back) return rolled_back.error();
  } else if (auto reconnected = connection_.reconnect(); !reconnected) {
    return reconnected.error();
  }
  needs_recovery_ = false;
  return Ok{};
}

Status PgAuditStore::read_entries(std::uint64_t begin, std::uint64_t end, const EntryVisitor& visit) {
  if (auto status = usable(); !status) return status;
  const auto with_obligations = has_obligations();
  if (!with_obligations) return with_obligations.error();
  std::uint64_t from = begin;
  while (from < end) {
    auto page = connection_.query("SELECT " + entry_columns(*with_obligations) +
                                      " FROM audit_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT $3",
                                  PgParams().integer(as_int(from)).integer(as_int(end)).integer(kPageRows));
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) {
      if (!visit(read_entry_row(*page, row))) return Ok{};
    }
    if (page->size() < kPageRows) break;
    from = static_cast<std::uint64_t>(page->integer(page->size() - 1, 0)) + 1;
  }
  return Ok{};
}

Result<std::vector<Hash>> PgAuditStore::read_leaf_hashes(std::uint64_t begin, std::uint64_t end) {
  if (auto status = usable(); !status) return status.error();
  std::vector<Hash> hashes;
  hashes.reserve(end > begin ? end - begin : 0);
  while (begin + hashes.size() < end) {
    const std::uint64_t from = begin + hashes.size();
    auto page = connection_.query("SELECT seq, leaf_hash FROM audit_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT $3",
                                  PgParams().integer(as_int(from)).integer(as_int(end)).integer(kPageRows));
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) {
      const auto hash = page->hash(row, 1);
      if (static_cast<std::uint64_t>(page->integer(row, 0)) != begin + hashes.size() || !hash) {
        return make_error(AuditErrorCode::corrupt,
                          "entry " + std::to_string(begin + hashes.size()) + " is missing or malformed");
      }
      hashes.push_back(*hash);
    }
    if (page->empty()) {
      return make_error(AuditErrorCode::corrupt, "entry " + std::to_string(begin + hashes.size()) + " is missing");
    }
  }
  return hashes;
}

Result<bool> PgAuditStore::has_tree_nodes() {
  if (has_tree_nodes_) return true;
  if (auto status = usable(); !status) return status.error();
  // A reader may open a database that no writer of this version has migrated yet.
  auto rows = connection_.query("SELECT to_regclass('audit_tree_nodes') IS NOT NULL");
  if (!rows) return rows.error();
  has_tree_nodes_ = rows->text(0, 0) == "t";
  return has_tree_nodes_;
}

Result<std::vector<OutboxMessage>> PgAuditStore::read_outbox() {
  if (auto status = usable(); !status) return status.error();
  std::vector<OutboxMessage> messages;
  auto version = store::pg_database_version(connection_);
  if (!version) return version.error();
  if (*version < kOutboxVersion) return messages;
  auto rows = connection_.query("SELECT seq, message FROM audit_outbox ORDER BY seq");
  if (!rows) return rows.error();
  for (int row = 0; row < rows->size(); ++row) {
    messages.push_back(OutboxMessage{static_cast<std::uint64_t>(rows->integer(row, 0)), rows->bytes(row, 1)});
  }
  return messages;
}

Status PgAuditStore::delete_outbox(std::span<const std::uint64_t> seqs) {
  if (auto status = usable(); !status) return status;
  if (auto removed = remove_outbox(connection_, seqs); !removed) return removed.error();
  return Ok{};
}

Result<bool> PgAuditStore::has_obligations() {
  if (has_obligations_) return true;
  // A reader may open a database that no writer of this version has migrated yet, and see it
  // migrated later: it looks again until it sees the column.
  auto version = store::pg_database_version(connection_);
  if (!version) return version.error();
  has_obligations_ = *version >= kObligationsVersion;
  return has_obligations_;
}

Status PgAuditStore::read_tree_nodes(unsigned level, std::uint64_t begin, std::uint64_t end, const NodeVisitor& visit) {
  if (auto status = usable(); !status) return status;
  std::uint64_t from = begin;
  while (from < end) {
    auto page = connection_.query(
        "SELECT node_index, hash FROM audit_tree_nodes WHERE level = $1 AND node_index >= $2 AND node_index < $3 "
        "ORDER BY node_index LIMIT $4",
        PgParams().integer(level).integer(as_int(from)).integer(as_int(end)).integer(kPageRows));
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) {
      const auto hash = page->hash(row, 1);
      if (!visit(StoredNode{static_cast<std::uint64_t>(page->integer(row, 0)), hash.value_or(Hash{}), hash.has_value()})) {
        return Ok{};
      }
    }
    if (page->size() < kPageRows) break;
    from = static_cast<std::uint64_t>(page->integer(page->size() - 1, 0)) + 1;
  }
  return Ok{};
}

Result<std::uint64_t> PgAuditStore::count_tree_nodes(std::uint64_t tree_size) {
  if (auto status = usable(); !status) return status.error();
  // Rows at a level no shift can reach are nobody's nodes: counted, as strays.
  auto rows = connection_.query(
      "SELECT count(*) FROM audit_tree_nodes WHERE level NOT BETWEEN 0 AND 62 OR node_index < ($1::bigint >> level)",
      PgParams().integer(as_int(tree_size)));
  if (!rows) return rows.error();
  return static_cast<std::uint64_t>(rows->integer(0, 0));
}

Status PgAuditStore::read_tree_heads(const HeadVisitor& visit) {
  if (auto status = usable(); !status) return status;
  std::int64_t after = 0;
  while (true) {
    auto page = connection_.query("SELECT " + std::string(kHeadColumns) +
                                      ", id FROM audit_tree_heads WHERE id > $1 ORDER BY id LIMIT $2",
                                  PgParams().integer(after).integer(kPageRows));
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) {
      const auto head = read_head_row(*page, row);
      if (!visit(head ? StoredTreeHead{*head, true} : StoredTreeHead{SignedTreeHead{}, false})) return Ok{};
    }
    if (page->size() < kPageRows) return Ok{};
    after = page->integer(page->size() - 1, 5);
  }
}

Result<std::optional<SignedTreeHead>> PgAuditStore::latest_tree_head() {
  if (auto status = usable(); !status) return status.error();
  auto rows = connection_.query("SELECT " + std::string(kHeadColumns) + " FROM audit_tree_heads ORDER BY id DESC LIMIT 1");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SignedTreeHead>();
  const auto head = read_head_row(*rows, 0);
  if (!head) return corrupt_head();
  return head;
}

Result<std::optional<SignedTreeHead>> PgAuditStore::tree_head_at(std::uint64_t tree_size) {
  if (auto status = usable(); !status) return status.error();
  auto rows = connection_.query("SELECT " + std::string(kHeadColumns) +
                                    " FROM audit_tree_heads WHERE tree_size = $1 ORDER BY id DESC LIMIT 1",
                                PgParams().integer(as_int(tree_size)));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SignedTreeHead>();
  const auto head = read_head_row(*rows, 0);
  if (!head) return corrupt_head();
  return head;
}

Result<std::uint64_t> PgAuditStore::count_entries() {
  if (auto status = usable(); !status) return status.error();
  auto rows = connection_.query("SELECT count(*) FROM audit_entries");
  if (!rows) return rows.error();
  return static_cast<std::uint64_t>(rows->integer(0, 0));
}

Status PgAuditStore::query(const EntryFilter& filter, const EntryVisitor& visit) {
  if (auto status = usable(); !status) return status;
  const auto with_obligations = has_obligations();
  if (!with_obligations) return with_obligations.error();
  // Parameters in a fixed order ($1 is the page's first seq), so that each combination of
  // filters is one prepared statement.
  std::string sql = "SELECT " + entry_columns(*with_obligations) + " FROM audit_entries WHERE seq >= $1";
  int next = 2;
  auto condition = [&](const char* column_test) { sql += std::string(" AND ") + column_test + std::to_string(next++); };
  std::vector<std::function<void(PgParams&)>> binds;
  if (filter.subject_hash) {
    condition("subject_hash = $");
    binds.push_back([&](PgParams& p) { p.bytes(*filter.subject_hash); });
  }
  if (filter.consumer) {
    condition("consumer = $");
    binds.push_back([&](PgParams& p) { p.text(*filter.consumer); });
  }
  if (filter.provider) {
    condition("provider = $");
    binds.push_back([&](PgParams& p) { p.text(*filter.provider); });
  }
  if (filter.category) {
    condition("category = $");
    binds.push_back([&](PgParams& p) { p.text(*filter.category); });
  }
  if (filter.decision) {
    condition("decision = $");
    binds.push_back([&](PgParams& p) { p.text(to_string(*filter.decision)); });
  }
  if (filter.since) {
    condition("time_us >= $");
    binds.push_back([&](PgParams& p) { p.integer(*filter.since); });
  }
  if (filter.until) {
    condition("time_us < $");
    binds.push_back([&](PgParams& p) { p.integer(*filter.until); });
  }
  sql += " ORDER BY seq LIMIT $" + std::to_string(next);

  std::uint64_t left = filter.limit.value_or(UINT64_MAX);
  std::uint64_t from = 0;
  while (left > 0) {
    PgParams page_params;
    page_params.integer(as_int(from));
    for (const auto& bind : binds) bind(page_params);
    const std::int64_t take = std::min<std::int64_t>(kPageRows, as_int(left));
    page_params.integer(take);
    auto page = connection_.query(sql, page_params);
    if (!page) return page.error();
    for (int row = 0; row < page->size(); ++row) {
      if (!visit(read_entry_row(*page, row))) return Ok{};
    }
    left -= static_cast<std::uint64_t>(page->size());
    if (page->size() < take) break;
    from = static_cast<std::uint64_t>(page->integer(page->size() - 1, 0)) + 1;
  }
  return Ok{};
}

Result<std::optional<std::string>> PgAuditStore::check_subject_index() {
  return std::optional<std::string>();  // PostgreSQL's own index, which it keeps consistent
}

}  // namespace pse::audit

#include "feedback_store.hpp"

#include "base/random_id.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace pse::feedback {
namespace {

const char* const kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS used_links (
  transaction_key TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feedback (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  got_what_needed INTEGER NOT NULL,
  comment TEXT NOT NULL,
  language TEXT NOT NULL,
  submitted_on TEXT NOT NULL,
  status TEXT NOT NULL,
  score INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  escalate INTEGER NOT NULL,
  decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_by_service ON feedback (service, submitted_on);
CREATE TABLE IF NOT EXISTS outbox (
  feedback_id TEXT PRIMARY KEY REFERENCES feedback (id),
  published INTEGER NOT NULL DEFAULT 0,
  event_id TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
)sql";

Error store_error(sqlite3* db, std::string_view what) {
  return make_error(Reason::internal_error, std::string(what) + ": " + sqlite3_errmsg(db));
}

// One prepared statement, finalised on every path.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) const {
    const auto* value = sqlite3_column_text(stmt_, column);
    return value == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(value));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

const char* const kColumns =
    "f.id, f.service, f.rating, f.got_what_needed, f.comment, f.language, f.submitted_on, f.status, f.score, "
    "f.reasons, f.escalate, f.decision_note";

FeedbackRecord read_record(const Statement& row) {
  FeedbackRecord record;
  record.id = row.text(0);
  record.service = row.text(1);
  record.rating = static_cast<int>(row.integer(2));
  record.got_what_needed = row.integer(3) != 0;
  record.comment = row.text(4);
  record.language = parse_language(row.text(5)).value_or(Language::fr);
  record.submitted_on = row.text(6);
  record.status = parse_status(row.text(7)).value_or(FeedbackStatus::pending);
  record.score = static_cast<int>(row.integer(8));
  record.reasons = row.text(9);
  record.escalate = row.integer(10) != 0;
  record.decision_note = row.text(11);
  return record;
}

std::string new_id() { return random_id("fb_", 12); }

}  // namespace

std::string_view to_string(FeedbackStatus status) noexcept {
  switch (status) {
    case FeedbackStatus::pending: return "pending";
    case FeedbackStatus::approved: return "approved";
    case FeedbackStatus::rejected: return "rejected";
    case FeedbackStatus::escalated: return "escalated";
  }
  return "pending";
}

std::optional<FeedbackStatus> parse_status(std::string_view text) noexcept {
  for (auto s : {FeedbackStatus::pending, FeedbackStatus::approved, FeedbackStatus::rejected, FeedbackStatus::escalated}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

FeedbackStore::FeedbackStore(const std::filesystem::path& file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + file.string() + ": " + message);
  }
  if (auto done = exec(kSchema); !done) {
    sqlite3_close(db_);
    throw std::runtime_error("cannot prepare " + file.string() + ": " + done.error().message);
  }
}

FeedbackStore::~FeedbackStore() { sqlite3_close(db_); }

Status FeedbackStore::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return make_error(Reason::internal_error, text);
  }
  return Done{};
}

Result<bool> FeedbackStore::link_used(std::string_view transaction_key) {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT 1 FROM used_links WHERE transaction_key = ?");
  if (!query.ok()) return store_error(db_, "link_used");
  query.bind(1, transaction_key);
  const int rc = query.step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_error(db_, "link_used");
  return rc == SQLITE_ROW;
}

Result<SubmitOutcome> FeedbackStore::submit(std::string_view transaction_key, const NewFeedback& feedback,
                                            std::string* id_out) {
  std::lock_guard lock(mutex_);
  if (auto begun = exec("BEGIN IMMEDIATE"); !begun) return begun.error();
  auto rollback = [this](Error error) -> Result<SubmitOutcome> {
    (void)exec("ROLLBACK");
    return error;
  };
  Statement mark(db_, "INSERT OR IGNORE INTO used_links (transaction_key) VALUES (?)");
  if (!mark.ok()) return rollback(store_error(db_, "submit"));
  mark.bind(1, transaction_key);
  if (mark.step() != SQLITE_DONE) return rollback(store_error(db_, "submit"));
  if (sqlite3_changes(db_) == 0) {
    (void)exec("ROLLBACK");
    return SubmitOutcome::already_answered;
  }
  const std::string id = new_id();
  const FeedbackStatus status = feedback.needs_review ? (feedback.escalate ? FeedbackStatus::escalated : FeedbackStatus::pending)
                                                      : FeedbackStatus::approved;
  Statement insert(db_,
                   "INSERT INTO feedback (id, service, rating, got_what_needed, comment, language, submitted_on, "
                   "status, score, reasons, escalate) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert.ok()) return rollback(store_error(db_, "submit"));
  insert.bind(1, id).bind(2, feedback.service).bind(3, std::int64_t{feedback.rating});
  insert.bind(4, std::int64_t{feedback.got_what_needed ? 1 : 0}).bind(5, feedback.comment);
  insert.bind(6, to_string(feedback.language)).bind(7, feedback.submitted_on).bind(8, to_string(status));
  insert.bind(9, std::int64_t{feedback.score}).bind(10, feedback.reasons).bind(11, std::int64_t{feedback.escalate ? 1 : 0});
  if (insert.step() != SQLITE_DONE) return rollback(store_error(db_, "submit"));
  if (status == FeedbackStatus::approved) {
    Statement queue(db_, "INSERT INTO outbox (feedback_id) VALUES (?)");
    if (!queue.ok()) return rollback(store_error(db_, "submit"));
    queue.bind(1, id);
    if (queue.step() != SQLITE_DONE) return rollback(store_error(db_, "submit"));
  }
  if (auto committed = exec("COMMIT"); !committed) return rollback(committed.error());
  if (id_out != nullptr) *id_out = id;
  return SubmitOutcome::stored;
}

Result<std::vector<FeedbackRecord>> FeedbackStore::list(std::optional<FeedbackStatus> status) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + kColumns + " FROM feedback f" +
                          (status ? " WHERE f.status = ?" : "") + " ORDER BY f.submitted_on, f.rowid";
  Statement query(db_, sql.c_str());
  if (!query.ok()) return store_error(db_, "list");
  if (status) query.bind(1, to_string(*status));
  std::vector<FeedbackRecord> records;
  int rc = 0;
  while ((rc = query.step()) == SQLITE_ROW) records.push_back(read_record(query));
  if (rc != SQLITE_DONE) return store_error(db_, "list");
  return records;
}

Result<std::optional<FeedbackRecord>> FeedbackStore::find(std::string_view id) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + kColumns + " FROM feedback f WHERE f.id = ?";
  Statement query(db_, sql.c_str());
  if (!query.ok()) return store_error(db_, "find");
  query.bind(1, id);
  const int rc = query.step();
  if (rc == SQLITE_ROW) return std::optional<FeedbackRecord>(read_record(query));
  if (rc != SQLITE_DONE) return store_error(db_, "find");
  return std::optional<FeedbackRecord>();
}

Status FeedbackStore::decide(std::string_view id, FeedbackStatus decision, std::string_view note) {
  std::lock_guard lock(mutex_);
  if (decision == FeedbackStatus::pending) return make_error(Reason::malformed_request, "a decision cannot be 'pending'");
  if (auto begun = exec("BEGIN IMMEDIATE"); !begun) return begun.error();
  auto rollback = [this](Error error) -> Status {
    (void)exec("ROLLBACK");
    return error;
  };
  Statement update(db_,
                   "UPDATE feedback SET status = ?, decision_note = ? WHERE id = ? AND status IN ('pending', 'escalated')");
  if (!update.ok()) return rollback(store_error(db_, "decide"));
  update.bind(1, to_string(decision)).bind(2, note).bind(3, id);
  if (update.step() != SQLITE_DONE) return rollback(store_error(db_, "decide"));
  if (sqlite3_changes(db_) == 0) {
    return rollback(make_error(Reason::malformed_request,
                               "no pending or escalated answer with id '" + std::string(id) + "'"));
  }
  if (decision == FeedbackStatus::approved) {
    Statement queue(db_, "INSERT OR IGNORE INTO outbox (feedback_id) VALUES (?)");
    if (!queue.ok()) return rollback(store_error(db_, "decide"));
    queue.bind(1, id);
    if (queue.step() != SQLITE_DONE) return rollback(store_error(db_, "decide"));
  }
  if (auto committed = exec("COMMIT"); !committed) return rollback(committed.error());
  return Done{};
}

Result<std::vector<OutboxEntry>> FeedbackStore::due_outbox(std::int64_t now, int limit) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + kColumns +
                          ", o.attempts, o.last_error FROM outbox o JOIN feedback f ON f.id = o.feedback_id "
                          "WHERE o.published = 0 AND o.next_attempt <= ? ORDER BY o.rowid LIMIT ?";
  Statement query(db_, sql.c_str());
  if (!query.ok()) return store_error(db_, "due_outbox");
  query.bind(1, now).bind(2, std::int64_t{limit});
  std::vector<OutboxEntry> entries;
  int rc = 0;
  while ((rc = query.step()) == SQLITE_ROW) {
    entries.push_back({read_record(query), static_cast<int>(query.integer(12)), query.text(13)});
  }
  if (rc != SQLITE_DONE) return store_error(db_, "due_outbox");
  return entries;
}

Status FeedbackStore::mark_published(std::string_view id, std::string_view event_id) {
  std::lock_guard lock(mutex_);
  Statement update(db_, "UPDATE outbox SET published = 1, event_id = ?, attempts = attempts + 1, last_error = '' "
                        "WHERE feedback_id = ?");
  if (!update.ok()) return store_error(db_, "mark_published");
  update.bind(1, event_id).bind(2, id);
  if (update.step() != SQLITE_DONE) return store_error(db_, "mark_published");
  return Done{};
}

Status FeedbackStore::mark_attempt_failed(std::string_view id, std::string_view error, std::int64_t next_attempt) {
  std::lock_guard lock(mutex_);
  Statement update(db_, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE feedback_id = ?");
  if (!update.ok()) return store_error(db_, "mark_attempt_failed");
  update.bind(1, error).bind(2, next_attempt).bind(3, id);
  if (update.step() != SQLITE_DONE) return store_error(db_, "mark_attempt_failed");
  return Done{};
}

Result<PublishedState> FeedbackStore::published_state(std::string_view id) {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT published, event_id, attempts, last_error FROM outbox WHERE feedback_id = ?");
  if (!query.ok()) return store_error(db_, "published_state");
  query.bind(1, id);
  const int rc = query.step();
  if (rc == SQLITE_DONE) return PublishedState{};
  if (rc != SQLITE_ROW) return store_error(db_, "published_state");
  return PublishedState{query.integer(0) != 0, query.text(1), static_cast<int>(query.integer(2)), query.text(3)};
}

Result<std::vector<FeedbackRecord>> FeedbackStore::for_report(std::string_view service, std::string_view from,
                                                              std::string_view to) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + kColumns +
                          " FROM feedback f WHERE f.status <> 'rejected' AND f.submitted_on BETWEEN ? AND ?" +
                          (service.empty() ? "" : " AND f.service = ?") + " ORDER BY f.service, f.submitted_on";
  Statement query(db_, sql.c_str());
  if (!query.ok()) return store_error(db_, "for_report");
  query.bind(1, from).bind(2, to);
  if (!service.empty()) query.bind(3, service);
  std::vector<FeedbackRecord> records;
  int rc = 0;
  while ((rc = query.step()) == SQLITE_ROW) records.push_back(read_record(query));
  if (rc != SQLITE_DONE) return store_error(db_, "for_report");
  return records;
}

}  // namespace pse::feedback

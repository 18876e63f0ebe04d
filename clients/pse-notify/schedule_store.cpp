#include "schedule_store.hpp"

#include "base/log.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace pse::notify {
namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("notify store: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& bind(int index, Instant value) { return bind(index, static_cast<std::int64_t>(value.time_since_epoch().count())); }

  /// True while rows come; throws on an error.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("notify store: ") + sqlite3_errmsg(db_));
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  Instant instant(int column) const { return Instant(std::chrono::seconds(integer(column))); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS notices (
  event_id TEXT PRIMARY KEY, publisher TEXT NOT NULL, category TEXT NOT NULL, subject TEXT NOT NULL,
  template TEXT NOT NULL, values_json TEXT NOT NULL, received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notices_by_publisher ON notices(publisher, received_at);
CREATE TABLE IF NOT EXISTS sends (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL REFERENCES notices(event_id),
  template TEXT NOT NULL, purpose TEXT NOT NULL, channel TEXT NOT NULL, offset_days INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  reason TEXT NOT NULL, provider_reference TEXT NOT NULL, updated_at INTEGER NOT NULL,
  UNIQUE(event_id, template, channel, offset_days));
CREATE INDEX IF NOT EXISTS sends_due ON sends(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS digest_items (
  digest_event_id TEXT NOT NULL REFERENCES notices(event_id),
  event_id TEXT NOT NULL REFERENCES notices(event_id),
  PRIMARY KEY (digest_event_id, event_id));
CREATE TABLE IF NOT EXISTS status_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, publisher TEXT NOT NULL, subject TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  record_json TEXT NOT NULL);
)sql";

/// Makes `file` owner-only (0600) when group or others may access it; `create`: creates it so,
/// whatever the umask, when it does not exist. Errors are left to SQLite, which says them better.
void make_owner_only(const std::filesystem::path& file, bool create) {
  const int fd = ::open(file.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0) return;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & 077) != 0 && ::fchmod(fd, 0600) == 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    log::warn("notify store file was readable by others, made owner-only", {{"file", file.string()}, {"mode", mode}});
  }
  ::close(fd);
}

SendState state_from_string(const std::string& text) {
  for (auto state : {SendState::created, SendState::sending, SendState::sent, SendState::delivered,
                     SendState::temporary_failure, SendState::permanent_failure, SendState::skipped}) {
    if (text == to_string(state)) return state;
  }
  throw std::runtime_error("notify store: unknown send state '" + text + "'");
}

constexpr const char* kSendColumns =
    "s.id, s.event_id, s.template, s.purpose, s.channel, s.offset_days, s.state, s.attempts, s.next_attempt_at, "
    "s.reason, s.provider_reference, n.publisher, n.category, n.subject, n.template, n.values_json, n.received_at, "
    "n.outcome, n.reason";

DueSend read_due(const Statement& q) {
  DueSend d;
  d.send.id = q.integer(0);
  d.send.event_id = q.text(1);
  d.send.template_id = q.text(2);
  d.send.purpose = q.text(3);
  d.send.channel = q.text(4);
  d.send.offset_days = static_cast<int>(q.integer(5));
  d.send.state = state_from_string(q.text(6));
  d.send.attempts = static_cast<int>(q.integer(7));
  d.send.next_attempt_at = q.instant(8);
  d.send.reason = q.text(9);
  d.send.provider_reference = q.text(10);
  d.notice.event_id = d.send.event_id;
  d.notice.publisher = q.text(11);
  d.notice.category = q.text(12);
  d.notice.subject = q.text(13);
  d.notice.template_id = q.text(14);
  d.notice.values_json = q.text(15);
  d.notice.received_at = q.instant(16);
  d.notice.outcome = q.text(17);
  d.notice.reason = q.text(18);
  return d;
}

}  // namespace

const char* to_string(SendState state) {
  switch (state) {
    case SendState::created: return "created";
    case SendState::sending: return "sending";
    case SendState::sent: return "sent";
    case SendState::delivered: return "delivered";
    case SendState::temporary_failure: return "temporary-failure";
    case SendState::permanent_failure: return "permanent-failure";
    case SendState::skipped: return "skipped";
  }
  return "unknown";
}

ScheduleStore::ScheduleStore(const std::filesystem::path& file) {
  if (file.has_parent_path() && std::filesystem::create_directories(file.parent_path())) {
    std::filesystem::permissions(file.parent_path(), std::filesystem::perms::owner_all);
  }
  // The store holds subject ids and the values of notices: owner-only, whatever the umask.
  // SQLite creates -wal and -shm with the database's mode, so the database is made first;
  // files an earlier version left open to others are closed to them.
  make_owner_only(file, /*create=*/true);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    std::filesystem::path companion = file;
    companion += suffix;
    make_owner_only(companion, /*create=*/false);
  }
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + file.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  // WAL and synchronous=FULL: a state change is on disk before the next step is taken.
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  exec(kSchema);
}

ScheduleStore::~ScheduleStore() { sqlite3_close(db_); }

void ScheduleStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("notify store: " + message);
  }
}

void ScheduleStore::insert_statuses(const std::vector<StatusRow>& statuses) {
  for (const auto& status : statuses) {
    Statement q(db_,
                "INSERT OR IGNORE INTO status_outbox(publisher, subject, idempotency_key, record_json) VALUES(?,?,?,?)");
    q.bind(1, status.publisher).bind(2, status.subject).bind(3, status.idempotency_key).bind(4, status.record_json);
    q.step();
  }
}

bool ScheduleStore::notice_exists(const std::string& event_id) {
  Statement exists(db_, "SELECT 1 FROM notices WHERE event_id = ?");
  return exists.bind(1, event_id).step();
}

void ScheduleStore::insert_notice_row(const NoticeRow& n) {
  Statement q(db_,
              "INSERT INTO notices(event_id, publisher, category, subject, template, values_json, received_at, outcome, "
              "reason) VALUES(?,?,?,?,?,?,?,?,?)");
  q.bind(1, n.event_id).bind(2, n.publisher).bind(3, n.category).bind(4, n.subject).bind(5, n.template_id);
  q.bind(6, n.values_json).bind(7, n.received_at).bind(8, n.outcome).bind(9, n.reason).step();
}

void ScheduleStore::insert_sends(const NoticeRow& n, const std::vector<SendRow>& sends) {
  for (const auto& s : sends) {
    Statement insert(db_,
                     "INSERT INTO sends(event_id, template, purpose, channel, offset_days, state, attempts, "
                     "next_attempt_at, reason, provider_reference, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    insert.bind(1, n.event_id).bind(2, s.template_id).bind(3, s.purpose).bind(4, s.channel);
    insert.bind(5, std::int64_t{s.offset_days}).bind(6, std::string(to_string(s.state)));
    insert.bind(7, std::int64_t{s.attempts}).bind(8, s.next_attempt_at).bind(9, s.reason);
    insert.bind(10, s.provider_reference).bind(11, n.received_at).step();
  }
}

bool ScheduleStore::insert_notice(const NoticeRow& n, const std::vector<SendRow>& sends,
                                  const std::vector<StatusRow>& statuses) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    if (notice_exists(n.event_id)) {
      exec("ROLLBACK");
      return false;
    }
    insert_notice_row(n);
    insert_sends(n, sends);
    insert_statuses(statuses);
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  return true;
}

ScheduleStore::DigestInsert ScheduleStore::insert_into_digest(const NoticeRow& n, const NoticeRow& digest,
                                                             const std::vector<SendRow>& digest_sends) {
  std::lock_guard lock(mutex_);
  DigestInsert result = DigestInsert::added;
  exec("BEGIN IMMEDIATE");
  try {
    if (notice_exists(n.event_id)) {
      exec("ROLLBACK");
      return DigestInsert::duplicate;
    }
    insert_notice_row(n);
    if (!notice_exists(digest.event_id)) {
      insert_notice_row(digest);
      insert_sends(digest, digest_sends);
      result = DigestInsert::created;
    }
    Statement item(db_, "INSERT INTO digest_items(digest_event_id, event_id) VALUES(?,?)");
    item.bind(1, digest.event_id).bind(2, n.event_id).step();
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
  return result;
}

std::vector<NoticeRow> ScheduleStore::digest_items(const std::string& digest_event_id) {
  std::lock_guard lock(mutex_);
  Statement q(db_,
              "SELECT n.event_id, n.publisher, n.category, n.subject, n.template, n.values_json, n.received_at, "
              "n.outcome, n.reason FROM digest_items d JOIN notices n ON n.event_id = d.event_id "
              "WHERE d.digest_event_id = ? ORDER BY n.received_at, n.rowid");
  q.bind(1, digest_event_id);
  std::vector<NoticeRow> out;
  while (q.step()) {
    out.push_back(NoticeRow{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.instant(6), q.text(7), q.text(8)});
  }
  return out;
}

bool ScheduleStore::has_notice(const std::string& event_id) { return notice(event_id).has_value(); }

std::optional<NoticeRow> ScheduleStore::notice(const std::string& event_id) {
  std::lock_guard lock(mutex_);
  Statement q(db_,
              "SELECT publisher, category, subject, template, values_json, received_at, outcome, reason FROM notices "
              "WHERE event_id = ?");
  if (!q.bind(1, event_id).step()) return std::nullopt;
  return NoticeRow{event_id,   q.text(0),    q.text(1), q.text(2), q.text(3),
                   q.text(4), q.instant(5), q.text(6), q.text(7)};
}

std::vector<DueSend> ScheduleStore::due(Instant now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  Statement q(db_, (std::string("SELECT ") + kSendColumns +
                    " FROM sends s JOIN notices n ON n.event_id = s.event_id WHERE s.state IN ('created', "
                    "'temporary-failure') AND s.next_attempt_at <= ? ORDER BY s.next_attempt_at, s.id LIMIT ?")
                       .c_str());
  q.bind(1, now).bind(2, static_cast<std::int64_t>(limit));
  std::vector<DueSend> out;
  while (q.step()) out.push_back(read_due(q));
  return out;
}

std::optional<Instant> ScheduleStore::next_due() {
  std::lock_guard lock(mutex_);
  Statement q(db_, "SELECT MIN(next_attempt_at) FROM sends WHERE state IN ('created', 'temporary-failure')");
  if (!q.step() || q.text(0).empty()) return std::nullopt;  // MIN() of no row is NULL
  return q.instant(0);
}

bool ScheduleStore::claim(std::int64_t send_id, Instant now) {
  std::lock_guard lock(mutex_);
  Statement q(db_,
              "UPDATE sends SET state = 'sending', updated_at = ? WHERE id = ? AND state IN ('created', "
              "'temporary-failure')");
  q.bind(1, now).bind(2, send_id).step();
  return sqlite3_changes(db_) == 1;
}

void ScheduleStore::update(const SendRow& s, Instant now, const std::vector<StatusRow>& statuses) {
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    Statement q(db_,
                "UPDATE sends SET state = ?, attempts = ?, next_attempt_at = ?, reason = ?, provider_reference = ?, "
                "updated_at = ? WHERE id = ?");
    q.bind(1, std::string(to_string(s.state))).bind(2, std::int64_t{s.attempts}).bind(3, s.next_attempt_at);
    q.bind(4, s.reason).bind(5, s.provider_reference).bind(6, now).bind(7, s.id).step();
    insert_statuses(statuses);
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

std::optional<DueSend> ScheduleStore::send(std::int64_t send_id) {
  std::lock_guard lock(mutex_);
  Statement q(db_, (std::string("SELECT ") + kSendColumns +
                    " FROM sends s JOIN notices n ON n.event_id = s.event_id WHERE s.id = ?")
                       .c_str());
  if (!q.bind(1, send_id).step()) return std::nullopt;
  return read_due(q);
}

std::vector<SendRow> ScheduleStore::sends_of(const std::string& event_id) {
  std::lock_guard lock(mutex_);
  Statement q(db_, (std::string("SELECT ") + kSendColumns +
                    " FROM sends s JOIN notices n ON n.event_id = s.event_id WHERE s.event_id = ? ORDER BY s.id")
                       .c_str());
  q.bind(1, event_id);
  std::vector<SendRow> out;
  while (q.step()) out.push_back(read_due(q).send);
  return out;
}

std::vector<DueSend> ScheduleStore::interrupted() {
  std::lock_guard lock(mutex_);
  Statement q(db_, (std::string("SELECT ") + kSendColumns +
                    " FROM sends s JOIN notices n ON n.event_id = s.event_id WHERE s.state = 'sending' ORDER BY s.id")
                       .c_str());
  std::vector<DueSend> out;
  while (q.step()) out.push_back(read_due(q));
  return out;
}

std::vector<StatusRow> ScheduleStore::pending_statuses(std::size_t limit) {
  std::lock_guard lock(mutex_);
  Statement q(db_,
              "SELECT id, publisher, subject, idempotency_key, record_json FROM status_outbox ORDER BY id LIMIT ?");
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<StatusRow> out;
  while (q.step()) out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4)});
  return out;
}

void ScheduleStore::remove_status(std::int64_t status_id) {
  std::lock_guard lock(mutex_);
  Statement q(db_, "DELETE FROM status_outbox WHERE id = ?");
  q.bind(1, status_id).step();
}

std::map<std::string, std::int64_t> ScheduleStore::count_by_state() {
  std::lock_guard lock(mutex_);
  Statement q(db_, "SELECT state, COUNT(*) FROM sends GROUP BY state");
  std::map<std::string, std::int64_t> out;
  while (q.step()) out[q.text(0)] = q.integer(1);
  return out;
}

std::int64_t ScheduleStore::notices_since(const std::string& publisher, Instant since) {
  std::lock_guard lock(mutex_);
  Statement q(db_, "SELECT COUNT(*) FROM notices WHERE publisher = ? AND received_at >= ? AND outcome != 'refused'");
  q.bind(1, publisher).bind(2, since);
  return q.step() ? q.integer(0) : 0;
}

}  // namespace pse::notify

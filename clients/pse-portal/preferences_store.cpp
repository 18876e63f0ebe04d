#include "preferences_store.hpp"

#include "base/log.hpp"
#include "policy/instant.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace pse::portal {
namespace {

// WAL and FULL: a saved preference survives a crash; STRICT: a column holds what it says.
constexpr std::string_view kSchema = R"SQL(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS contact_preferences (
  subject TEXT PRIMARY KEY NOT NULL,
  channel TEXT NOT NULL,
  email TEXT NOT NULL,
  mobile TEXT NOT NULL,
  language TEXT NOT NULL,
  quiet_hours_start TEXT NOT NULL,
  quiet_hours_end TEXT NOT NULL,
  access_notices TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
)SQL";

SqliteDatabase open_store(const std::filesystem::path& file) {
  // Personal information: a new file is owner-only from its first byte (SQLite gives its -wal
  // and -shm files the mode of the database file). An empty file is a new database to SQLite.
  if (const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  auto database = SqliteDatabase::open(file, SqliteDatabase::Mode::read_write_create);
  if (!database) throw std::runtime_error(database.error().message);
  if (auto created = database->execute(kSchema); !created) {
    throw std::runtime_error("cannot prepare " + file.string() + ": " + created.error().message);
  }
  return std::move(*database);
}

Error unavailable(const SqliteError& error) {
  log::error("the preferences store failed", {{"error", error.message}});
  return make_error(Reason::store_unavailable, "the preferences store failed");
}

}  // namespace

PreferencesStore::PreferencesStore(const std::filesystem::path& file) : database_(open_store(file)) {}

Result<std::optional<ContactPreferences>> PreferencesStore::find(const std::string& subject) {
  std::lock_guard lock(mutex_);
  auto select = database_.prepare(
      "SELECT channel, email, mobile, language, quiet_hours_start, quiet_hours_end, access_notices "
      "FROM contact_preferences WHERE subject = ?1");
  if (!select) return unavailable(select.error());
  select->bind(1, subject);
  auto row = select->step();
  if (!row) return unavailable(row.error());
  if (!*row) return std::optional<ContactPreferences>();
  return std::optional<ContactPreferences>(ContactPreferences{select->text(0), select->text(1), select->text(2),
                                                              select->text(3), select->text(4), select->text(5),
                                                              select->text(6)});
}

Status PreferencesStore::save(const std::string& subject, const ContactPreferences& p) {
  std::lock_guard lock(mutex_);
  auto upsert = database_.prepare(
      "INSERT INTO contact_preferences (subject, channel, email, mobile, language, quiet_hours_start, "
      "quiet_hours_end, access_notices, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (subject) DO UPDATE SET channel = ?2, email = ?3, mobile = ?4, language = ?5, "
      "quiet_hours_start = ?6, quiet_hours_end = ?7, access_notices = ?8, updated_at = ?9");
  if (!upsert) return unavailable(upsert.error());
  int index = 0;
  for (const std::string* value : {&subject, &p.channel, &p.email, &p.mobile, &p.language, &p.quiet_hours_start,
                                   &p.quiet_hours_end, &p.access_notices}) {
    upsert->bind(++index, *value);
  }
  upsert->bind(++index, policy::format_instant(std::chrono::time_point_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now())));
  if (auto done = upsert->run(); !done) return unavailable(done.error());
  return Done{};
}

Result<boost::json::object> PreferencesStore::record(const std::string& subject, const std::vector<std::string>& fields) {
  auto found = find(subject);
  if (!found) return found.error();
  if (!*found) return make_error(Reason::record_not_found);
  const ContactPreferences& p = **found;
  // The field names of config/classification.yaml, category contact.preferences.
  const std::pair<const char*, const std::string*> all[] = {
      {"channel", &p.channel},   {"email", &p.email},
      {"mobile", &p.mobile},     {"language", &p.language},
      {"quiet_hours_start", &p.quiet_hours_start}, {"quiet_hours_end", &p.quiet_hours_end},
      {"access_notices", &p.access_notices}};
  boost::json::object record;
  for (const auto& [name, value] : all) {
    if (value->empty()) continue;
    if (std::find(fields.begin(), fields.end(), name) != fields.end()) record[name] = *value;
  }
  return record;
}

}  // namespace pse::portal

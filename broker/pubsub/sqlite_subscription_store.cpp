#include "base/config_error.hpp"
#include "broker/pubsub/subscription_store.hpp"

namespace pse::broker {
namespace {

pse::SqliteDatabase open_database(const std::filesystem::path& file) {
  auto database = pse::SqliteDatabase::open(file, pse::SqliteDatabase::Mode::read_write_create);
  if (!database) throw ConfigError(file, 0, database.error().message);
  auto created = database->execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS subscriptions (subscriber TEXT NOT NULL, category TEXT NOT NULL,"
      " purpose TEXT NOT NULL, PRIMARY KEY (subscriber, category));");
  if (!created) throw ConfigError(file, 0, created.error().message);
  return std::move(database.value());
}

}  // namespace

SqliteSubscriptionStore::SqliteSubscriptionStore(const std::filesystem::path& file)
    : file_(file), database_(open_database(file)) {}

std::vector<SubscriptionEntry> SqliteSubscriptionStore::load() {
  auto select = database_.prepare("SELECT subscriber, category, purpose FROM subscriptions");
  if (!select) throw ConfigError(file_, 0, select.error().message);
  std::vector<SubscriptionEntry> entries;
  while (true) {
    auto row = select->step();
    if (!row) throw ConfigError(file_, 0, row.error().message);
    if (!*row) break;
    entries.push_back({select->text(0), select->text(1), select->text(2)});
  }
  return entries;
}

bool SqliteSubscriptionStore::save(const std::vector<SubscriptionEntry>& entries, std::string& error) {
  auto statement = database_.prepare(
      "INSERT INTO subscriptions (subscriber, category, purpose) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (subscriber, category) DO UPDATE SET purpose = excluded.purpose");
  if (!statement) {
    error = statement.error().message;
    return false;
  }
  if (auto begun = database_.execute("BEGIN IMMEDIATE"); !begun) {
    error = begun.error().message;
    return false;
  }
  for (const auto& entry : entries) {
    statement->bind(1, entry.subscriber);
    statement->bind(2, entry.category);
    statement->bind(3, entry.purpose);
    auto done = statement->run();
    statement->reset();
    if (!done) {
      error = done.error().message;
      (void)database_.execute("ROLLBACK");
      return false;
    }
  }
  if (auto committed = database_.execute("COMMIT"); !committed) {
    error = committed.error().message;
    return false;
  }
  return true;
}

}  // namespace pse::broker

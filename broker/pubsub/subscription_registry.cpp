#include "broker/pubsub/subscription_registry.hpp"

#include "base/config_error.hpp"

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

SubscriptionRegistry::SubscriptionRegistry(const std::filesystem::path& file, std::vector<SubscriptionEntry> from_config)
    : database_(open_database(file)) {
  auto select = database_.prepare("SELECT subscriber, category, purpose FROM subscriptions");
  if (!select) throw ConfigError(file, 0, select.error().message);
  while (true) {
    auto row = select->step();
    if (!row) throw ConfigError(file, 0, row.error().message);
    if (!*row) break;
    purposes_[{select->text(0), select->text(1)}] = select->text(2);
  }
  // The configuration has the last word over what connectors declared earlier.
  for (auto& entry : from_config) purposes_[{entry.subscriber, entry.category}] = entry.purpose;
}

bool SubscriptionRegistry::add(const std::vector<SubscriptionEntry>& entries, std::string& error) {
  // The durable write holds only the database: publishes reading subscribers_of go on meanwhile.
  std::lock_guard write_lock(database_mutex_);
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
  std::lock_guard lock(mutex_);
  for (const auto& entry : entries) purposes_[{entry.subscriber, entry.category}] = entry.purpose;
  return true;
}

std::vector<SubscriptionEntry> SubscriptionRegistry::subscribers_of(std::string_view category) const {
  std::lock_guard lock(mutex_);
  std::vector<SubscriptionEntry> found;
  for (const auto& [key, purpose] : purposes_) {
    if (key.second == category) found.push_back({key.first, key.second, purpose});
  }
  return found;
}

std::vector<SubscriptionEntry> SubscriptionRegistry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<SubscriptionEntry> found;
  for (const auto& [key, purpose] : purposes_) found.push_back({key.first, key.second, purpose});
  return found;
}

}  // namespace pse::broker

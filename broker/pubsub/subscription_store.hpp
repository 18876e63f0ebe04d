// Where the subscriptions connectors declare are kept: a SQLite file (the embedded default) or
// the hub's PostgreSQL (table `subscriptions`, store/pg_schema.cpp). One row per
// (subscriber, category); a later declaration with another purpose replaces it.
#pragma once

#include "base/postgres.hpp"
#include "base/sqlite.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

/// The channel a PostgreSQL store NOTIFYs when it saved subscriptions: the other brokers'
/// registries reload (store_listener.hpp).
inline constexpr std::string_view kSubscriptionsChannel = "pse_subscriptions_changed";

struct SubscriptionEntry {
  std::string subscriber;
  std::string category;
  std::string purpose;
  bool operator==(const SubscriptionEntry&) const = default;
};

class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;
  /// Everything stored. Throws ConfigError when the store cannot be read (at start-up).
  virtual std::vector<SubscriptionEntry> load() = 0;
  /// Stores the entries durably, all or none; false with `error` set when it cannot.
  virtual bool save(const std::vector<SubscriptionEntry>& entries, std::string& error) = 0;
};

class SqliteSubscriptionStore final : public SubscriptionStore {
 public:
  /// Opens (creating) the file. Throws ConfigError when unusable.
  explicit SqliteSubscriptionStore(const std::filesystem::path& file);
  std::vector<SubscriptionEntry> load() override;
  bool save(const std::vector<SubscriptionEntry>& entries, std::string& error) override;

 private:
  std::filesystem::path file_;
  pse::SqliteDatabase database_;
};

class PgSubscriptionStore final : public SubscriptionStore {
 public:
  /// Connects and brings the schema up to date. Throws ConfigError when it cannot.
  explicit PgSubscriptionStore(const PgConnectOptions& options);
  std::vector<SubscriptionEntry> load() override;
  bool save(const std::vector<SubscriptionEntry>& entries, std::string& error) override;

 private:
  PgConnection connection_;
};

}  // namespace pse::broker

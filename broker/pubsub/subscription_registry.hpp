// Who subscribes to which category, and for which purpose.
//
// Subscriptions come from broker.yaml (`pubsub.subscriptions`) and from connectors' hello
// (`subscribes`). Those declared at connect time are stored (SQLite) so that they outlive the
// connection: events published while a subscriber is offline wait in its queue. One purpose per
// (subscriber, category); a later declaration with another purpose replaces it.
#pragma once

#include "base/sqlite.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

struct SubscriptionEntry {
  std::string subscriber;
  std::string category;
  std::string purpose;
  bool operator==(const SubscriptionEntry&) const = default;
};

class SubscriptionRegistry {
 public:
  /// Opens (creating) the file and loads what it holds. Throws ConfigError when unusable.
  SubscriptionRegistry(const std::filesystem::path& file, std::vector<SubscriptionEntry> from_config);

  /// Records (durably) what a connector declared. false with `error` set when the store fails.
  /// Waits on the disk: call it from a worker thread, never an I/O thread.
  bool add(const std::vector<SubscriptionEntry>& entries, std::string& error);

  /// Every subscriber of `category` with its purpose, sorted by subscriber.
  std::vector<SubscriptionEntry> subscribers_of(std::string_view category) const;

  std::vector<SubscriptionEntry> all() const;

 private:
  using Key = std::pair<std::string, std::string>;  // subscriber, category
  std::mutex database_mutex_;  // guards database_
  pse::SqliteDatabase database_;
  mutable std::mutex mutex_;  // guards purposes_
  std::map<Key, std::string> purposes_;
};

}  // namespace pse::broker

// Who subscribes to which category, and for which purpose.
//
// Subscriptions come from broker.yaml (`pubsub.subscriptions`) and from connectors' hello
// (`subscribes`). Those declared at connect time are stored (subscription_store.hpp) so that
// they outlive the connection: events published while a subscriber is offline wait in its queue. One purpose per
// (subscriber, category); a later declaration with another purpose replaces it. Brokers sharing
// a PostgreSQL store reload when another one saved subscriptions (store_listener.hpp).
#pragma once

#include "broker/pubsub/subscription_store.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

class SubscriptionRegistry {
 public:
  /// Loads what the store holds. Throws ConfigError when it cannot.
  SubscriptionRegistry(std::unique_ptr<SubscriptionStore> store, std::vector<SubscriptionEntry> from_config);

  /// Records (durably) what a connector declared. false with `error` set when the store fails.
  /// Waits on the disk: call it from a worker thread, never an I/O thread.
  bool add(const std::vector<SubscriptionEntry>& entries, std::string& error);

  /// Reads the store again (another broker saved subscriptions in it). Keeps what it has, with
  /// a warning, when the store cannot be read.
  void reload();

  /// Every subscriber of `category` with its purpose, sorted by subscriber.
  std::vector<SubscriptionEntry> subscribers_of(std::string_view category) const;

  std::vector<SubscriptionEntry> all() const;

 private:
  using Key = std::pair<std::string, std::string>;  // subscriber, category
  std::mutex store_mutex_;  // guards store_
  std::unique_ptr<SubscriptionStore> store_;
  const std::vector<SubscriptionEntry> from_config_;
  mutable std::mutex mutex_;  // guards purposes_
  std::map<Key, std::string> purposes_;
};

}  // namespace pse::broker

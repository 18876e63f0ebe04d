#include "broker/pubsub/subscription_registry.hpp"

namespace pse::broker {

SubscriptionRegistry::SubscriptionRegistry(std::unique_ptr<SubscriptionStore> store,
                                           std::vector<SubscriptionEntry> from_config)
    : store_(std::move(store)) {
  for (auto& entry : store_->load()) purposes_[{entry.subscriber, entry.category}] = std::move(entry.purpose);
  // The configuration has the last word over what connectors declared earlier.
  for (auto& entry : from_config) purposes_[{entry.subscriber, entry.category}] = entry.purpose;
}

bool SubscriptionRegistry::add(const std::vector<SubscriptionEntry>& entries, std::string& error) {
  {
    // The durable write holds only the store: publishes reading subscribers_of go on meanwhile.
    std::lock_guard write_lock(store_mutex_);
    if (!store_->save(entries, error)) return false;
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

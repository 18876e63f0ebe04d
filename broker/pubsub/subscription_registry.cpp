#include "broker/pubsub/subscription_registry.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"

namespace pse::broker {

namespace {

// The configuration has the last word over what connectors declared.
std::map<std::pair<std::string, std::string>, std::string> merged(std::vector<SubscriptionEntry> stored,
                                                                  const std::vector<SubscriptionEntry>& from_config) {
  std::map<std::pair<std::string, std::string>, std::string> purposes;
  for (auto& entry : stored) purposes[{entry.subscriber, entry.category}] = std::move(entry.purpose);
  for (const auto& entry : from_config) purposes[{entry.subscriber, entry.category}] = entry.purpose;
  return purposes;
}

}  // namespace

SubscriptionRegistry::SubscriptionRegistry(std::unique_ptr<SubscriptionStore> store,
                                           std::vector<SubscriptionEntry> from_config)
    : store_(std::move(store)), from_config_(std::move(from_config)), purposes_(merged(store_->load(), from_config_)) {}

void SubscriptionRegistry::reload() {
  std::vector<SubscriptionEntry> stored;
  try {
    std::lock_guard store_lock(store_mutex_);
    stored = store_->load();
  } catch (const ConfigError& error) {
    log::warn("subscriptions not reloaded; the ones known stay", {{"detail", error.reason()}});
    return;
  }
  auto purposes = merged(std::move(stored), from_config_);
  std::lock_guard lock(mutex_);
  purposes_ = std::move(purposes);
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

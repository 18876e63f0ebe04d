#include "broker/exchange/provider_directory.hpp"

#include <algorithm>
#include <set>

namespace pse::broker {

void ProviderDirectory::add(const std::shared_ptr<ProviderChannel>& channel,
                            const std::vector<std::string>& categories) {
  std::lock_guard lock(mutex_);
  for (const auto& category : categories) serving_[{channel->provider(), category}].push_back(channel);
}

void ProviderDirectory::remove(const ProviderChannel* channel) {
  std::lock_guard lock(mutex_);
  for (auto it = serving_.begin(); it != serving_.end();) {
    std::erase_if(it->second, [channel](const std::weak_ptr<ProviderChannel>& weak) {
      auto live = weak.lock();
      return !live || live.get() == channel;
    });
    it = it->second.empty() ? serving_.erase(it) : std::next(it);
  }
}

std::shared_ptr<ProviderChannel> ProviderDirectory::pick(std::string_view provider, std::string_view category) const {
  std::lock_guard lock(mutex_);
  auto it = serving_.find(Key{std::string(provider), std::string(category)});
  if (it == serving_.end()) return nullptr;
  std::shared_ptr<ProviderChannel> best;
  for (const auto& weak : it->second) {
    auto live = weak.lock();
    if (live && (!best || live->in_flight() < best->in_flight())) best = std::move(live);
  }
  return best;
}

std::size_t ProviderDirectory::connections() const {
  std::lock_guard lock(mutex_);
  std::set<const ProviderChannel*> unique;
  for (const auto& [key, channels] : serving_) {
    for (const auto& weak : channels) {
      if (auto live = weak.lock()) unique.insert(live.get());
    }
  }
  return unique.size();
}

}  // namespace pse::broker

// Which connector connections serve which (provider, category), and which one to ask.
//
// Several connections of one provider share the load: pick() returns the one with the fewest
// requests in flight. Connections register once their hello is accepted and leave when they
// close; the directory holds weak references, so a closing connection is never picked again.
#pragma once

#include "broker/exchange/provider_channel.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

class ProviderDirectory {
 public:
  void add(const std::shared_ptr<ProviderChannel>& channel, const std::vector<std::string>& categories);
  void remove(const ProviderChannel* channel);

  /// nullptr when no connection of `provider` serves `category`.
  std::shared_ptr<ProviderChannel> pick(std::string_view provider, std::string_view category) const;

  std::size_t connections() const;

 private:
  using Key = std::pair<std::string, std::string>;  // provider, category
  mutable std::mutex mutex_;
  std::map<Key, std::vector<std::weak_ptr<ProviderChannel>>, std::less<>> serving_;
};

}  // namespace pse::broker

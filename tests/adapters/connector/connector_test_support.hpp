// Shared by the connector's tests: a publisher that records (and can fail), config writing.
#pragma once

#include "adapters/connector/drop_folder.hpp"

#include <pse/publish.hpp>

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pse::connector::testing {

/// Stands in for the broker's POST /v1/publish: remembers the keys it has seen (a repeat is a
/// duplicate, as the broker answers), and can be told to become unreachable or to refuse.
class RecordingPublisher final : public Publisher {
 public:
  pse::Result<pse::PublishResponse> publish(const pse::PublishRequest& request) override {
    std::lock_guard lock(mutex_);
    ++calls;
    if (unreachable_after && *unreachable_after == 0) {
      return pse::make_error(pse::Reason::provider_unavailable, "connect to broker: Connection refused");
    }
    if (unreachable_after) --*unreachable_after;
    if (refuse) return pse::make_error(*refuse, "refused by the test");
    const bool duplicate = !keys.insert(request.idempotency_key).second;
    if (!duplicate) accepted.push_back(request);
    return pse::PublishResponse{"evt_" + std::to_string(keys.size()), duplicate};
  }

  std::mutex mutex_;
  std::optional<int> unreachable_after;  ///< publishes that succeed before the broker "goes away"
  std::optional<pse::Reason> refuse;
  std::set<std::string> keys;
  std::vector<pse::PublishRequest> accepted;  ///< first publish of each key
  int calls = 0;
};

}  // namespace pse::connector::testing

// Moves deliveries from the subscribers' durable queues to their connected connectors.
//
// Triggers: the queue says a subscriber has something new (after a publish, an ack, a nack, a
// replay commits), a connector attaches or answers, and a periodic tick that expires ack
// timeouts and picks up deliveries whose backoff has ended. Each trigger "pumps" the subscriber:
// take as many due deliveries as its connections have room for, and send them. The queue keeps
// the order per subject and the at-least-once state; this class only routes.
//
// Thread safety: every member may be called from any thread. Pumps run on the executor given
// as `post` (never on the queue's writer thread, which must not wait on SQLite reads).
#pragma once

#include "broker/metrics.hpp"
#include "broker/pubsub/subscriber_channel.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pse::queue {
class DeliveryQueue;
}

namespace pse::broker {

class DeliveryDispatcher {
 public:
  using Post = std::function<void(std::function<void()>)>;

  DeliveryDispatcher(queue::DeliveryQueue& queue, Metrics& metrics, Post post);

  void attach(const std::shared_ptr<SubscriberChannel>& channel);
  /// The connection is gone: what it held in flight is ready again at once.
  void detach(const SubscriberChannel* channel);

  /// The connector answered delivery `id`: ack (ok) or nack with a reason code.
  void answered(const std::string& subscriber, std::uint64_t id, bool ok, std::string_view reason);

  /// Schedules a pump of `subscriber` (e.g. from the queue's on_ready callback).
  void wake(const std::string& subscriber);

  /// Expires ack timeouts and pumps every connected subscriber. Call it periodically.
  void tick();

 private:
  void pump(const std::string& subscriber);

  queue::DeliveryQueue& queue_;
  Metrics& metrics_;
  Post post_;
  std::mutex mutex_;  // channels_, and one pump at a time (take_ready then send stay paired)
  std::map<std::string, std::vector<std::weak_ptr<SubscriberChannel>>, std::less<>> channels_;
  // Subscribers with a pump already posted: a burst of wakes (one per commit, per ack) costs
  // one pump, not one SQLite read each.
  std::mutex scheduled_mutex_;
  std::set<std::string, std::less<>> scheduled_;
};

/// The `delivery` frame for one stored payload (see publish_pipeline.cpp for its fields).
std::string delivery_message(std::uint64_t id, std::uint32_t attempt, const std::string& payload);

}  // namespace pse::broker

#include "broker/pubsub/delivery_dispatcher.hpp"

#include "base/log.hpp"
#include "broker/queue/delivery_queue.hpp"

#include <algorithm>

namespace pse::broker {

std::string delivery_message(std::uint64_t id, std::uint32_t attempt, const std::string& payload) {
  // The payload is a JSON object serialised at publish time: splice the frame's own members in
  // front of its members rather than parse and serialise it again on every send.
  std::string message = R"({"type":"delivery","id":")" + std::to_string(id) + R"(","attempt":)" + std::to_string(attempt);
  if (payload.size() > 2) message += ',';
  message.append(payload, 1);
  return message;
}

DeliveryDispatcher::DeliveryDispatcher(queue::DeliveryQueue& queue, Metrics& metrics, Post post)
    : queue_(queue), metrics_(metrics), post_(std::move(post)) {}

void DeliveryDispatcher::attach(const std::shared_ptr<SubscriberChannel>& channel) {
  {
    std::lock_guard lock(mutex_);
    channels_[channel->subscriber()].push_back(channel);
  }
  wake(channel->subscriber());
}

void DeliveryDispatcher::detach(const SubscriberChannel* channel) {
  std::string subscriber;
  {
    std::lock_guard lock(mutex_);
    for (auto it = channels_.begin(); it != channels_.end(); ++it) {
      auto& list = it->second;
      const auto before = list.size();
      std::erase_if(list, [channel](const std::weak_ptr<SubscriberChannel>& weak) {
        auto held = weak.lock();
        return !held || held.get() == channel;
      });
      if (list.size() != before) {
        subscriber = it->first;
        if (list.empty()) channels_.erase(it);
        break;
      }
    }
  }
  if (subscriber.empty()) return;
  // What this connection held goes back to the queue at once. Another connection of the same
  // subscriber may then receive a delivery it also holds: at least once allows it.
  const std::size_t released = queue_.release_in_flight(subscriber);
  if (released > 0) log::info("deliveries released", {{"subscriber", subscriber}, {"count", released}});
  wake(subscriber);
}

void DeliveryDispatcher::answered(const std::string& subscriber, std::uint64_t id, bool ok, std::string_view reason) {
  const auto now = queue::Clock::now();
  const auto status = ok ? queue_.ack(subscriber, id) : queue_.nack(subscriber, id, now, reason);
  if (!status) {
    metrics_.delivery_answer_ignored();
    return;
  }
  if (ok) {
    metrics_.delivery_acked();
  } else {
    metrics_.delivery_nacked();
  }
  // The queue's on_ready wakes the subscriber once the ack or nack is committed.
}

void DeliveryDispatcher::wake(const std::string& subscriber) {
  {
    std::lock_guard lock(scheduled_mutex_);
    if (!scheduled_.insert(subscriber).second) return;  // a pump is on its way
  }
  post_([this, subscriber] {
    {
      std::lock_guard lock(scheduled_mutex_);
      scheduled_.erase(subscriber);  // from here, a new wake schedules a new pump
    }
    pump(subscriber);
  });
}

void DeliveryDispatcher::tick() {
  queue_.expire_in_flight(queue::Clock::now());
  std::vector<std::string> subscribers;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [subscriber, list] : channels_) subscribers.push_back(subscriber);
  }
  for (const auto& subscriber : subscribers) pump(subscriber);
}

void DeliveryDispatcher::pump(const std::string& subscriber) {
  std::lock_guard lock(mutex_);
  auto found = channels_.find(subscriber);
  if (found == channels_.end()) return;
  std::vector<std::shared_ptr<SubscriberChannel>> live;
  std::size_t room = 0;
  for (const auto& weak : found->second) {
    if (auto channel = weak.lock()) {
      room += channel->delivery_room();
      live.push_back(std::move(channel));
    }
  }
  if (room == 0) return;
  auto taken = queue_.take_ready(subscriber, queue::Clock::now(), room);
  if (!taken) {
    log::error("delivery queue read failed", {{"subscriber", subscriber}, {"detail", taken.error().message}});
    return;
  }
  for (const auto& unreadable : taken->unreadable) {
    log::error("stored delivery cannot be decrypted; left in place",
               {{"subscriber", subscriber}, {"event_id", unreadable.event_id}, {"detail", unreadable.error.message}});
  }
  auto& deliveries = taken->deliveries;
  if (deliveries.empty()) return;
  // Fill each connection up to its room, in order.
  std::size_t next = 0;
  for (const auto& channel : live) {
    std::vector<OutgoingDelivery> batch;
    for (std::size_t room_left = channel->delivery_room(); room_left > 0 && next < deliveries.size(); --room_left) {
      const auto& delivery = deliveries[next++];
      batch.push_back({delivery.id, delivery_message(delivery.id, delivery.attempt, delivery.payload)});
    }
    if (!batch.empty()) {
      metrics_.deliveries_sent(batch.size());
      channel->send_deliveries(std::move(batch));
    }
  }
  // Room shrank between the count and the send (requests arrived): the rest waits for its ack
  // timeout — rare, and still delivered.
  if (next < deliveries.size()) log::warn("deliveries left in flight unsent", {{"subscriber", subscriber}});
}

}  // namespace pse::broker

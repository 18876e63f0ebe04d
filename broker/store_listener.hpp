// StoreListener — hears, on PostgreSQL, what the other brokers of the hub changed.
//
// Brokers NOTIFY in the transactions that change shared state: a queue commit that made
// something ready for a subscriber (kQueueReadyChannel, the subscriber's name as payload), a
// subscription declared through another broker (kSubscriptionsChannel). The listener passes
// each notification to its channel's handler: the dispatcher's wake, so a delivery leaves
// within milliseconds and not at the next tick; the subscription registry's reload, so a
// publish here fans out to a subscriber that connected there.
//
// A lost connection is opened again once a second, and then every handler runs once with an
// empty payload (`missed`): whatever was announced meanwhile is looked at again.
#pragma once

#include "base/postgres.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <thread>

namespace pse::broker {

class StoreListener {
 public:
  /// Called with the notification's payload, or with an empty one after a reconnection.
  using Handler = std::function<void(const std::string& payload)>;

  /// Connects and LISTENs on each channel, then listens on a thread of its own. Throws
  /// ConfigError when it cannot connect.
  StoreListener(const PgConnectOptions& options, std::map<std::string, Handler, std::less<>> handlers);
  ~StoreListener();  ///< stops the thread
  StoreListener(const StoreListener&) = delete;
  StoreListener& operator=(const StoreListener&) = delete;

 private:
  void run();
  bool listen();  // (re)connects if needed and LISTENs; false when the database is unreachable
  void missed();  // after a reconnection: every handler, empty payload

  PgConnection connection_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace pse::broker

#include "broker/store_listener.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"
#include "store/pg_schema.hpp"

#include <chrono>
#include <poll.h>

namespace pse::broker {
namespace {

constexpr int kPollMs = 250;  // how often the thread looks whether it should stop
constexpr auto kReconnectInterval = std::chrono::seconds(1);

PgConnection connect_or_throw(PgConnectOptions options) {
  options.durable_commits = false;  // it only listens
  return store::connect_migrated_or_throw(options);
}

}  // namespace

StoreListener::StoreListener(const PgConnectOptions& options, std::map<std::string, Handler, std::less<>> handlers)
    : connection_(connect_or_throw(options)), handlers_(std::move(handlers)) {
  if (!listen()) throw ConfigError("store.conninfo", 0, "cannot LISTEN for the other brokers' changes");
  thread_ = std::thread([this] { run(); });
}

StoreListener::~StoreListener() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool StoreListener::listen() {
  if (!connection_.is_open() && !connection_.reconnect()) return false;
  for (const auto& [channel, handler] : handlers_) {
    if (!connection_.execute_script("LISTEN " + channel)) return false;
  }
  return true;
}

void StoreListener::missed() {
  for (const auto& [channel, handler] : handlers_) handler("");
}

void StoreListener::run() {
  bool connected = true;
  while (!stopping_) {
    if (!connected) {
      std::this_thread::sleep_for(kReconnectInterval);
      (void)connection_.reconnect();
      connected = listen();
      if (connected) {
        log::info("the other brokers' changes are heard again");
        missed();
      }
      continue;
    }
    pollfd wait{connection_.socket(), POLLIN, 0};
    if (wait.fd < 0 || ::poll(&wait, 1, kPollMs) < 0) {
      connected = false;
      continue;
    }
    if ((wait.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    auto notifications = connection_.poll_notifications();
    if (!notifications) {
      log::warn("lost the connection that hears the other brokers' changes",
                {{"detail", notifications.error().message}});
      connected = false;
      continue;
    }
    for (const PgNotification& notification : *notifications) {
      if (const auto handler = handlers_.find(notification.channel); handler != handlers_.end()) {
        handler->second(notification.payload);
      }
    }
  }
}

}  // namespace pse::broker

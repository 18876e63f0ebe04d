// State shared by the listeners and every session of one broker. Owned by the Broker; outlives
// the io_context so that sessions destroyed with it can still unregister.
#pragma once

#include "broker/admission/connection_budget.hpp"
#include "broker/config.hpp"
#include "broker/exchange/provider_directory.hpp"
#include "broker/http_types.hpp"
#include "broker/metrics.hpp"
#include "policy/policy_engine.hpp"

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace pse {
class WorkerThread;
}

namespace pse::broker {

class DeliveryDispatcher;
class SubscriptionRegistry;

/// Live sessions, so that a drain can reach the idle ones and a reload can check each one's
/// identity again. Both hooks post onto the session's own strand.
class SessionRegistry {
 public:
  struct Hooks {
    std::function<void()> drain;
    std::function<void()> recheck;  ///< identity, CRL and roles against what is in force now
  };

  void add(const void* session, Hooks hooks) {
    std::lock_guard lock(mutex_);
    sessions_.emplace(session, std::move(hooks));
  }
  void remove(const void* session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }
  void drain_all() const { each(&Hooks::drain); }
  void recheck_all() const { each(&Hooks::recheck); }

 private:
  void each(std::function<void()> Hooks::*hook) const {
    std::unordered_map<const void*, Hooks> copy;
    {
      std::lock_guard lock(mutex_);
      copy = sessions_;
    }
    for (const auto& [session, hooks] : copy) (hooks.*hook)();
  }

  mutable std::mutex mutex_;
  std::unordered_map<const void*, Hooks> sessions_;
};

struct ServerState {
  explicit ServerState(const Limits& configured) : limits(configured), budget(configured) {}

  std::string trust_domain;
  const Limits limits;
  Metrics metrics;
  ConnectionBudget budget;  ///< who holds the listener's connections
  SessionRegistry sessions;    ///< HTTP sessions: drained first
  SessionRegistry connectors;  ///< provider WebSockets: closed once no exchange can need them
  RequestHandler* handler = nullptr;
  /// Organisations, classification and rules; its snapshot is swapped on reload (SIGHUP).
  const policy::PolicyEngine* policies = nullptr;
  /// The provider connectors currently connected, by (provider, category).
  ProviderDirectory* providers = nullptr;
  /// Publish/subscribe: who subscribes to what, and the route from queues to connectors.
  SubscriptionRegistry* subscriptions = nullptr;
  DeliveryDispatcher* deliveries = nullptr;
  /// Where durable writes asked for on an I/O thread run (a connector's subscriptions).
  WorkerThread* store_worker = nullptr;
  std::atomic<bool> draining{false};
  /// Whether the audit log can commit now (readiness); unset means yes.
  std::function<bool()> audit_available;
  /// Admin endpoints beyond /healthz, /readyz and /metrics (the dead-letter queue).
  std::function<std::optional<HttpResponse>(const HttpRequest&)> admin_extension;

  /// Swapped whole on reload (SIGHUP); each session keeps the context it started with.
  std::shared_ptr<boost::asio::ssl::context> tls_context() const { return std::atomic_load(&tls_); }
  void set_tls_context(std::shared_ptr<boost::asio::ssl::context> context) { std::atomic_store(&tls_, std::move(context)); }

 private:
  std::shared_ptr<boost::asio::ssl::context> tls_;
};

}  // namespace pse::broker

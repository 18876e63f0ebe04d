#include "broker/broker.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"
#include "base/worker_thread.hpp"
#include "broker/api_router.hpp"
#include "audit/audit_keys.hpp"
#include "audit/audit_log.hpp"
#include "broker/audit_health.hpp"
#include "broker/broker_stores.hpp"
#include "base/random_id.hpp"
#include "broker/consent/consent_follower.hpp"
#include "broker/consent/consent_registry.hpp"
#include "broker/consent/rule_obligations.hpp"
#include "broker/consent_routes.hpp"
#include "broker/exchange/disclosure_notices.hpp"
#include "broker/exchange/exchange_pipeline.hpp"
#include "broker/exchange/provider_directory.hpp"
#include "broker/exchange/shared_requests.hpp"
#include "broker/admission/org_admission.hpp"
#include "broker/net/admin_session.hpp"
#include "broker/net/crl_watcher.hpp"
#include "broker/net/https_session.hpp"
#include "broker/net/listener.hpp"
#include "broker/net/server_state.hpp"
#include "broker/net/tls_context.hpp"
#include "broker/pubsub/delivery_dispatcher.hpp"
#include "broker/pubsub/dead_letter_routes.hpp"
#include "broker/pubsub/publish_pipeline.hpp"
#include "broker/pubsub/subscription_registry.hpp"
#include "broker/queue/delivery_queue.hpp"
#include "broker/queue/pg_queue_store.hpp"
#include "broker/store_listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace pse::broker {
namespace asio = boost::asio;

namespace {

policy::PolicyConfigPaths policy_paths(const BrokerConfig& config) {
  return {config.orgs_file, config.classification_file, config.policies_file};
}

// The registry validates names, and finds the obligations a receipt names, against the policy
// snapshot in force at the time of the call.
consent::Vocabulary vocabulary_of(const policy::PolicyEngine& engine) {
  return consent::Vocabulary{
      [&engine](std::string_view org) { return engine.snapshot()->organisations().find(org) != nullptr; },
      [&engine](std::string_view category) { return engine.snapshot()->classification().find(category) != nullptr; },
      [&engine](const consent::Consent& consent, consent::Instant at) {
        return consent::rule_obligations(*engine.snapshot(), consent, at);
      },
  };
}

std::unique_ptr<queue::DeliveryQueue> open_queue(const BrokerConfig& config, BrokerStores& stores) {
  queue::QueueOptions options;
  options.max_attempts = config.pubsub.max_attempts;
  options.ack_timeout = config.pubsub.ack_timeout;
  options.retry_initial = config.pubsub.retry_initial;
  options.retry_max = config.pubsub.retry_max;
  options.idempotency_retention = config.pubsub.idempotency_retention;
  options.max_payload_bytes = config.limits.body_bytes + 4096;  // a record plus its envelope
  return queue::DeliveryQueue::open(options, queue::QueueKeyring::load(config.keys_dir, config.pubsub.queue_key),
                                    std::move(stores.queue_writer), std::move(stores.queue_reader));
}

// Subscriptions in broker.yaml must name organisations and categories that exist.
std::vector<SubscriptionEntry> configured_subscriptions(const BrokerConfig& config, const policy::PolicyEngine& engine) {
  const auto snapshot = engine.snapshot();
  std::vector<SubscriptionEntry> entries;
  for (const auto& subscription : config.pubsub.subscriptions) {
    const policy::Organisation* org = snapshot->organisations().find(subscription.subscriber);
    if (org == nullptr || !org->has_role(policy::Role::subscriber)) {
      throw ConfigError(config.source, 0, "pubsub.subscriptions: '" + subscription.subscriber +
                                              "' is not an organisation with the subscriber role");
    }
    if (snapshot->classification().find(subscription.category) == nullptr) {
      throw ConfigError(config.source, 0, "pubsub.subscriptions: unknown category '" + subscription.category + "'");
    }
    entries.push_back({subscription.subscriber, subscription.category, subscription.purpose});
  }
  return entries;
}

// Queue depth and age per subscriber, computed at scrape time.
std::string queue_gauges(queue::DeliveryQueue& queue) {
  std::string depths =
      "# HELP pse_queue_depth Deliveries waiting for a subscriber, by state.\n"
      "# TYPE pse_queue_depth gauge\n";
  std::string ages =
      "# HELP pse_queue_oldest_age_seconds Age of a subscriber's oldest pending delivery.\n"
      "# TYPE pse_queue_oldest_age_seconds gauge\n";
  for (const auto& stats : queue.stats(queue::Clock::now())) {
    const std::string who = "subscriber=\"" + stats.subscriber + "\"";
    auto depth = [&](std::string_view state, std::uint64_t value) {
      depths += "pse_queue_depth{" + who + ",state=\"" + std::string(state) + "\"} " + std::to_string(value) + "\n";
    };
    depth("ready", stats.ready);
    depth("in_flight", stats.in_flight);
    depth("dead", stats.dead);
    depth("unreadable", stats.unreadable);
    ages += "pse_queue_oldest_age_seconds{" + who + "} " + std::to_string(stats.oldest_pending_age_seconds) + "\n";
  }
  return depths + ages;
}

audit::AuditConfig audit_config(const BrokerConfig& config) {
  audit::AuditConfig audit{{}, config.keys_dir};  // the stores come from open_broker_stores
  audit.max_pending_per_org = config.limits.audit_pending_per_org;
  return audit;
}

ExchangeSettings exchange_settings(const BrokerConfig& config) {
  ExchangeSettings settings;
  settings.provider_timeout = config.limits.provider_timeout;
  settings.max_in_flight_per_consumer = config.limits.max_in_flight_per_org;
  settings.keys_dir = config.keys_dir;  // scripts/dev-pki writes the public keys there
  return settings;
}

AdmissionLimits admission_limits(const Limits& limits) {
  return AdmissionLimits{static_cast<double>(limits.exchange_rate_per_org), limits.exchange_burst_per_org,
                         static_cast<double>(limits.publish_rate_per_org), limits.publish_burst_per_org,
                         limits.max_publishes_in_flight_per_org};
}

// Names this process among the hub's brokers (consent_follower.hpp): host, pid and a random part,
// so that a restarted broker never takes over its predecessor's row.
std::string broker_instance_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "%s", "host");
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + random_id("", 4);
}

policy::Instant now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

struct Broker::Impl {
  explicit Impl(BrokerConfig c)
      : config(std::move(c)),
        instance_id(broker_instance_id()),
        stores(open_broker_stores(config, instance_id)),
        policies(policy::PolicyEngine::load(policy_paths(config))),
        consents(std::move(stores.consents),
                 audit::load_subject_hash_key(config.keys_dir / audit::subject_key_file),
                 audit::load_signing_key(config.keys_dir / audit::signing_key_file), vocabulary_of(*policies),
                 consent::ConsentSettings{std::chrono::days(config.consent_max_validity_days)}),
        audit_log(audit::AuditLog::open(audit_config(config), std::move(stores.audit_writer),
                                        std::move(stores.audit_reader))),
        audit_reader(std::move(stores.audit_view)),
        at_rest_keys(queue::QueueKeyring::load(config.keys_dir, config.pubsub.queue_key)),
        consent_routes(consents, *audit_log, *audit_reader, now_seconds),
        org_admission(admission_limits(config.limits)),
        exchanges(*policies, consents, *audit_log, providers, state.metrics,
                  exchange_settings(config), now_seconds,
                  [this](std::function<void()> job) { asio::post(io, std::move(job)); }, org_admission),
        queue(open_queue(config, stores)),
        subscriptions(std::move(stores.subscriptions), configured_subscriptions(config, *policies)),
        dispatcher(*queue, state.metrics, [this](std::function<void()> job) { asio::post(io, std::move(job)); }),
        publishes(*policies, consents, *audit_log, *queue, subscriptions, state.metrics, now_seconds, org_admission,
                  config.keys_dir),
        disclosures([this](const std::string& publisher, const std::string& body,
                           Respond respond) { publish_as(publisher, body, std::move(respond)); },
                    [this](std::chrono::milliseconds delay, std::function<void()> job) {
                      run_later(delay, std::move(job));
                    },
                    [this](std::uint64_t audit_seq) { audit_log->outbox_done(audit_seq); }, at_rest_keys),
        dead_letters(*queue),
        store_worker(std::make_unique<WorkerThread>("store")),
        router(exchanges, publishes, consent_routes, *store_worker) {
    if (stores.postgres) {
      consent_follower = std::make_unique<consent::ConsentFollower>(
          *stores.postgres, consents, stores.consent_change_mark, consent::FollowerOptions{instance_id});
      consents.set_propagation(consent_follower.get());
      shared_requests = std::make_unique<SharedRequests>(*stores.postgres, instance_id,
                                                         ExchangeSettings{}.idempotency_window, at_rest_keys);
      exchanges.share_requests(shared_requests.get());
    }
    // notify_subject: the citizen is told of the exchange through pse-notify (disclosure_notices.hpp).
    exchanges.notify_subjects_through(
        [this](const DisclosureNotice& notice) { return disclosures.outbox_message(notice); },
        [this](DisclosureNotice notice) { disclosures.notify(std::move(notice)); });
    state.trust_domain = config.trust_domain;
    state.handler = &router;
    state.policies = policies.get();
    state.providers = &providers;
    state.subscriptions = &subscriptions;
    state.deliveries = &dispatcher;
    state.store_worker = store_worker.get();
    state.admin_extension = [this](const HttpRequest& request) { return dead_letters.handle(request); };
    state.audit_available = [this] { return audit_log->health().available; };
    state.metrics.set_extra_source([this] {
      return queue_gauges(*queue) + audit_health_metrics(audit_log->health()) + org_admission.render_metrics() +
             admin_gate.prometheus() + crl_watcher.prometheus();
    });
    queue->on_ready([this](const std::string& subscriber) { dispatcher.wake(subscriber); });
    if (stores.postgres) {
      store_listener = std::make_unique<StoreListener>(
          *stores.postgres,
          std::map<std::string, StoreListener::Handler, std::less<>>{
              {std::string(queue::kQueueReadyChannel),
               [this](const std::string& subscriber) {
                 if (subscriber.empty()) {
                   dispatcher.tick();  // notifications were missed: every connected subscriber
                 } else {
                   dispatcher.wake(subscriber);
                 }
               }},
              {std::string(kSubscriptionsChannel), [this](const std::string&) { subscriptions.reload(); }}});
    }
    state.set_tls_context(make_server_tls_context(config.tls));
  }

  // The access notices a stop or a crash left in the audit log's outbox go out again (the
  // publishes wait for the I/O threads).
  void resend_kept_notices() {
    auto kept = audit_log->outbox();
    if (!kept) {
      log::error("the audit log's outbox cannot be read; kept notices wait for the next start",
                 {{"detail", kept.error().message}});
      return;
    }
    disclosures.resend(*kept);
  }

  // A publish made by the hub in an organisation's name (disclosure notices), through the same
  // pipeline, checks and audit as one the organisation sends itself.
  void publish_as(const std::string& publisher, const std::string& body, Respond respond) {
    const auto snapshot = policies->snapshot();
    const policy::Organisation* org = snapshot->organisations().find(publisher);
    if (org == nullptr) return respond(error_response(Reason::no_rule, "no such organisation"));
    publishes.run(*org, body, std::move(respond));
  }

  void run_later(std::chrono::milliseconds delay, std::function<void()> job) {
    if (delay <= std::chrono::milliseconds::zero()) {
      asio::post(io, std::move(job));
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io, delay);
    timer->async_wait([timer, job = std::move(job)](boost::system::error_code ec) {
      if (!ec) job();
    });
  }

  void start(bool handle_signals) {
    https = std::make_shared<Listener>(io, config.listen, "mtls", [this](asio::ip::tcp::socket socket) {
      boost::system::error_code ec;
      const auto peer = socket.remote_endpoint(ec);
      if (ec) return;  // already gone
      ConnectionBudget::Admission admission = state.budget.enter_handshake(peer.address().to_string());
      if (!admission.slot) {
        state.metrics.connection_refused(admission.refusal);
        return;  // closed before any TLS work, as the socket goes out of scope
      }
      std::make_shared<HttpsSession>(std::move(socket), state, std::move(admission.slot))->start();
    }, [this] { state.metrics.connection_refused(AdmissionRefusal::accept_error); });
    admin = std::make_shared<Listener>(io, config.admin, "admin", [this](asio::ip::tcp::socket socket) {
      accept_admin_connection(std::move(socket), state, admin_gate);
    }, [] {});
    admin_gate.set_port(admin->port());
    https->start();
    admin->start();
    if (handle_signals) watch_signals();
    crl_watcher.start();
    tick_deliveries();
    resend_kept_notices();
    for (unsigned i = 0; i < config.threads; ++i) threads.emplace_back([this] { io.run(); });
  }

  // Ack timeouts and the end of backoffs have no other trigger: look four times a second.
  void tick_deliveries() {
    delivery_timer.expires_after(std::chrono::milliseconds(250));
    delivery_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      dispatcher.tick();
      tick_deliveries();
    });
  }

  void watch_signals() {
    signals.add(SIGTERM);
    signals.add(SIGINT);
    signals.add(SIGHUP);
    signals.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
        watch_signals();
      } else {
        log::info("signal received, draining", {{"signal", signal}});
        begin_drain();
      }
    });
  }

  void begin_drain() {
    if (state.draining.exchange(true)) return;
    log::info("draining", {{"connections", state.sessions.size()},
                           {"timeout_ms", state.limits.drain_timeout.count()}});
    https->stop();
    state.sessions.drain_all();
    drain_deadline = std::chrono::steady_clock::now() + state.limits.drain_timeout;
    check_drained();
  }

  // Polls until every HTTP session has gone or the deadline passes. Connectors stay until
  // then — requests in flight need them — and are closed last, with a short grace period.
  void check_drained() {
    const auto now = std::chrono::steady_clock::now();
    const std::size_t remaining = state.sessions.size();
    if (!connectors_closing && (remaining == 0 || now >= drain_deadline)) {
      if (remaining > 0) log::warn("drain timeout, closing connections", {{"connections", remaining}});
      connectors_closing = true;
      state.connectors.drain_all();
      drain_deadline = now + std::chrono::seconds(2);
    }
    if (connectors_closing && (state.connectors.size() == 0 || now >= drain_deadline)) {
      log::info("stopped");
      admin->stop();
      delivery_timer.cancel();
      crl_watcher.stop();
      boost::system::error_code ignored;
      signals.cancel(ignored);
      io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec) check_drained();
    });
  }

  // Builds everything new before swapping anything, so a bad file leaves the old state whole.
  // SIGHUP, the CRL watcher and Broker::reload() can ask at once, from different threads: one
  // reload at a time, so that the TLS context and the policies in force come from one reading.
  bool reload() {
    const std::lock_guard<std::mutex> one_at_a_time(reload_mutex);
    try {
      auto tls = make_server_tls_context(config.tls);
      auto errors = policies->reload(policy_paths(config));
      if (!errors.empty()) throw errors.front();
      state.set_tls_context(std::move(tls));
      exchanges.forget_registered_keys();
      publishes.forget_keys();
      log::info("reloaded TLS material, organisations, classification, policies and encryption keys",
                {{"sessions", state.sessions.size()}, {"connectors", state.connectors.size()}});
      // Sessions already open prove their identity again against what is in force now.
      state.sessions.recheck_all();
      state.connectors.recheck_all();
      return true;
    } catch (const ConfigError& e) {
      log::error("reload failed, keeping the previous configuration", {{"detail", e.what()}});
      return false;
    }
  }

  void wait() {
    for (auto& thread : threads) {
      if (thread.joinable()) thread.join();
    }
  }

  // The worker's and the audit log's last jobs answer through sessions of the io_context:
  // finish them while it still exists (the Broker has stopped and joined its threads by now).
  ~Impl() {
    store_listener.reset();  // its thread wakes deliveries through the io_context
    store_worker.reset();
    shared_requests.reset();  // its last claims answer through the io_context too
    audit_log->close();  // runs the last completions, which answer through the io_context
    queue->close();
  }

  // Order matters: what sessions and jobs use is declared before the io_context, so that it
  // outlives it (members are destroyed in reverse order).
  BrokerConfig config;
  std::string instance_id;  // this process among the hub's brokers (broker_instance_id)
  BrokerStores stores;  // opened first; each store is moved to what uses it below
  std::mutex reload_mutex;
  std::unique_ptr<policy::PolicyEngine> policies;
  consent::ConsentRegistry consents;
  std::unique_ptr<consent::ConsentFollower> consent_follower;  // PostgreSQL: the other brokers' consent writes
  std::unique_ptr<audit::AuditLog> audit_log;
  std::unique_ptr<audit::AuditStore> audit_reader;
  queue::QueueKeyring at_rest_keys;  // seals what the audit commit keeps: notices, answers for retries
  ConsentRoutes consent_routes;
  ServerState state{config.limits};  // before the pipeline, which counts in its metrics
  ProviderDirectory providers;
  OrgAdmission org_admission;
  ExchangePipeline exchanges;
  std::unique_ptr<SharedRequests> shared_requests;  // PostgreSQL: request ids answered once by the hub
  std::unique_ptr<queue::DeliveryQueue> queue;
  SubscriptionRegistry subscriptions;
  DeliveryDispatcher dispatcher;
  std::unique_ptr<StoreListener> store_listener;  // PostgreSQL: the other brokers' changes
  PublishPipeline publishes;
  DisclosureNotices disclosures;  // before io: its retries wait in io's timers
  DeadLetterRoutes dead_letters;
  std::unique_ptr<WorkerThread> store_worker;
  ApiRouter router;
  AdminGate admin_gate{config.admin, config.admin_access, config.limits};
  asio::io_context io{static_cast<int>(config.threads)};
  asio::signal_set signals{io};
  asio::steady_timer drain_timer{io};
  asio::steady_timer delivery_timer{io};
  // A changed CRL file is reloaded without a SIGHUP; its expiry is watched (crl_watcher.hpp).
  CrlWatcher crl_watcher{io, config.tls.crl_file, config.tls.crl_poll_interval, [this] { return reload(); },
                         [this] { return crl_next_update(*state.tls_context()); }};
  std::chrono::steady_clock::time_point drain_deadline;
  bool connectors_closing = false;
  std::shared_ptr<Listener> https;
  std::shared_ptr<Listener> admin;
  std::vector<std::thread> threads;
};

Broker::Broker(BrokerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Broker::~Broker() {
  if (!impl_->threads.empty()) {
    impl_->io.stop();
    impl_->wait();
  }
}

void Broker::start(bool handle_signals) { impl_->start(handle_signals); }
std::uint16_t Broker::port() const { return impl_->https->port(); }
std::uint16_t Broker::admin_port() const { return impl_->admin->port(); }
void Broker::request_drain() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->begin_drain(); });
}
void Broker::wait() { impl_->wait(); }
bool Broker::reload() { return impl_->reload(); }
const Metrics& Broker::metrics() const { return impl_->state.metrics; }

}  // namespace pse::broker

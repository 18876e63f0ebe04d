// pse-notify assembled: the broker connection (subscriptions to notice.* and the client for
// exchanges and publishing), the schedule, the channels and the loopback HTTP endpoint.
//
//   broker ──delivery──▶ NoticeIntake ──▶ ScheduleStore ◀── Dispatcher ──▶ SMTP / Kannel
//     ▲                     │ contact.preferences (exchange, consent)        │
//     └───────── notice.status (publish, to: the sending body) ◀── outbox ◀──┘
//
// tick() does one round of the schedule (due sends, then the statuses); run() calls it every
// `schedule.tick` until stop(). Tests call tick() after moving their clock.
#pragma once

#include "access_intake.hpp"
#include "broker_gateway.hpp"
#include "clock.hpp"
#include "dispatcher.hpp"
#include "http_endpoint.hpp"
#include "kannel_client.hpp"
#include "metrics.hpp"
#include "notice_intake.hpp"
#include "notify_config.hpp"
#include "smtp_client.hpp"

#include <pse/client.hpp>
#include <pse/provider.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>

namespace pse::notify {

/// The notice categories pse-notify subscribes to, with the purpose citizen_notification (the
/// bodies' reminders, and the access notices the hub publishes for notify_subject).
const std::vector<std::string>& notice_categories();

class NotifyService {
 public:
  /// Loads the templates, opens the store, binds the HTTP endpoint; throws ConfigError or
  /// std::runtime_error when something is unusable.
  NotifyService(NotifyConfig config, const Clock& clock);
  ~NotifyService();

  /// Recovers sends a previous run left half-done, connects the subscriptions and waits (up
  /// to `wait`) for the broker's `ready`.
  Status start(std::chrono::milliseconds wait);
  void tick();
  /// tick() every schedule.tick until stop().
  void run();
  void stop();

  std::uint16_t http_port() const { return http_->port(); }
  Metrics& metrics() { return metrics_; }
  ScheduleStore& store() { return *store_; }

  /// What a delivery turns into (public for tests of malformed deliveries).
  Status on_delivery(const Delivery& delivery);

 private:
  HttpAnswer on_http(const std::string& method, const std::string& target);

  NotifyConfig config_;
  const Clock& clock_;
  TemplateSet templates_;
  std::unique_ptr<ScheduleStore> store_;
  Metrics metrics_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<BrokerGateway> gateway_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<SmtpClient> email_;
  std::unique_ptr<KannelClient> sms_;
  std::unique_ptr<NoticeIntake> intake_;
  std::unique_ptr<AccessIntake> access_intake_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Provider> provider_;
  std::string dlr_token_;
  std::unique_ptr<HttpEndpoint> http_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace pse::notify

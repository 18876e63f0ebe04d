#include "notify_service.hpp"

#include "access_notice.hpp"

#include "base/log.hpp"
#include "base/random_id.hpp"


namespace pse::notify {
namespace {

std::string random_token() { return random_id("", 16); }

}  // namespace

const std::vector<std::string>& notice_categories() {
  static const std::vector<std::string> categories = {"notice.renewal_due", "notice.appointment", "notice.payment_due",
                                                       kAccessCategory};
  return categories;
}

NotifyService::NotifyService(NotifyConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock), templates_(TemplateSet::load(config_.templates_file)) {
  store_ = std::make_unique<ScheduleStore>(config_.store_file);
  client_ = std::make_unique<Client>(config_.broker);
  gateway_ = std::make_unique<BrokerGateway>(*client_);
  limiter_ = std::make_unique<RateLimiter>(config_.default_limits, config_.body_limits,
                                           [this](const std::string& body, Instant since) {
                                             return store_->notices_since(body, since);
                                           });
  email_ = std::make_unique<SmtpClient>(config_.smtp);
  sms_ = std::make_unique<KannelClient>(config_.sms);
  intake_ = std::make_unique<NoticeIntake>(config_, templates_, *store_, *gateway_, *limiter_, metrics_, clock_);
  access_intake_ = std::make_unique<AccessIntake>(config_, templates_, *store_, *gateway_, metrics_, clock_);
  dispatcher_ = std::make_unique<Dispatcher>(config_, templates_, *store_, *gateway_, *email_, *sms_, metrics_, clock_);
  dlr_token_ = random_token();
  http_ = std::make_unique<HttpEndpoint>(config_.http.address, config_.http.port,
                                         [this](const std::string& m, const std::string& t) { return on_http(m, t); });
  // Kannel replaces %d with the report type (1 delivered, 2 failed, 16 refused by the SMSC).
  sms_->set_delivery_report_url("http://" + config_.http.address + ":" + std::to_string(http_->port()) +
                                "/kannel/dlr?token=" + dlr_token_ + "&send={send}&type=%d");
}

NotifyService::~NotifyService() {
  stop();
  if (provider_) provider_->stop();
}

Status NotifyService::start(std::chrono::milliseconds wait) {
  if (const std::size_t lost = dispatcher_->recover_interrupted(); lost > 0) {
    log::warn("sends interrupted by the last stop reported as outcome_unknown", {{"count", lost}});
  }
  provider_ = std::make_unique<Provider>(config_.broker);
  std::vector<Subscription> subscriptions;
  for (const auto& category : notice_categories()) subscriptions.push_back({category, kNotificationPurpose});
  provider_->subscribe(std::move(subscriptions), [this](const Delivery& delivery) { return on_delivery(delivery); });
  if (auto started = provider_->start(); !started) return started;
  return provider_->wait_ready(wait);
}

Status NotifyService::on_delivery(const Delivery& delivery) {
  IncomingNotice notice{delivery.event_id, delivery.publisher, delivery.category, delivery.subject, delivery.record};
  auto result = delivery.category == kAccessCategory ? access_intake_->accept(notice) : intake_->accept(notice);
  if (!result) {
    // Not recorded: the broker delivers it again later, with backoff.
    log::warn("notice postponed", {{"event_id", delivery.event_id}, {"reason", to_string(result.error().reason)}});
    return result.error();
  }
  wake_.notify_all();  // a reminder due now goes out without waiting for the next tick
  return Done{};
}

void NotifyService::tick() {
  dispatcher_->run_due();
  dispatcher_->publish_statuses(*gateway_);
}

void NotifyService::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      tick();
    } catch (const std::exception& e) {  // the store failing: say it, keep trying
      log::error("schedule round failed", {{"error", e.what()}});
    }
    lock.lock();
    wake_.wait_for(lock, config_.schedule.tick, [this] { return stopping_; });
  }
}

void NotifyService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

HttpAnswer NotifyService::on_http(const std::string& method, const std::string& target) {
  if (method != "GET") return {405, "text/plain; charset=utf-8", "method not allowed\n"};
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    std::string text = metrics_.prometheus_text();
    text += "# HELP pse_notify_sends Sends in the schedule, by state.\n# TYPE pse_notify_sends gauge\n";
    for (const auto& [state, count] : store_->count_by_state()) {
      text += "pse_notify_sends{state=\"" + state + "\"} " + std::to_string(count) + "\n";
    }
    return {200, "text/plain; version=0.0.4; charset=utf-8", text};
  }
  if (path == "/kannel/dlr") {
    if (!secret_matches(query_parameter(target, "token"), dlr_token_)) {
      metrics_.report_refused("bad_token");
      return {403, "text/plain; charset=utf-8", "forbidden\n"};
    }
    const std::string send = query_parameter(target, "send"), type = query_parameter(target, "type");
    std::int64_t send_id = 0;
    try {
      send_id = std::stoll(send);
    } catch (const std::exception&) {
      return {400, "text/plain; charset=utf-8", "bad send id\n"};
    }
    if (type == "1") {
      dispatcher_->delivery_report(send_id, true, "");
    } else if (type == "2" || type == "16") {
      dispatcher_->delivery_report(send_id, false, type == "2" ? "sms_undelivered" : "sms_refused_by_smsc");
    }
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

}  // namespace pse::notify

#include "broker/metrics.hpp"

namespace pse::broker {

void Metrics::connection_accepted() noexcept {
  accepted_.fetch_add(1, std::memory_order_relaxed);
  open_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::connection_closed() noexcept { open_.fetch_sub(1, std::memory_order_relaxed); }

void Metrics::connection_refused(AdmissionRefusal why) noexcept {
  refused_[static_cast<std::size_t>(why)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::connections_refused(AdmissionRefusal why) const noexcept {
  return refused_[static_cast<std::size_t>(why)].load(std::memory_order_relaxed);
}

void Metrics::session_revoked(std::string_view reason) noexcept {
  revoked_[handshake_index(reason)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::sessions_revoked(std::string_view reason) const noexcept {
  return revoked_[handshake_index(reason)].load(std::memory_order_relaxed);
}

void Metrics::session_expired() noexcept { expired_.fetch_add(1, std::memory_order_relaxed); }

void Metrics::connector_connected() noexcept {
  connectors_.fetch_add(1, std::memory_order_relaxed);
  open_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::connector_disconnected() noexcept {
  connectors_.fetch_sub(1, std::memory_order_relaxed);
  open_.fetch_sub(1, std::memory_order_relaxed);
}

void Metrics::exchange_completed(int status) noexcept {
  if (status >= 100 && status < static_cast<int>(exchanges_by_status_.size())) {
    exchanges_by_status_[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  }
}

void Metrics::provider_fields_dropped(std::uint64_t count) noexcept {
  fields_dropped_.fetch_add(count, std::memory_order_relaxed);
}

void Metrics::provider_fields_missing(std::uint64_t count) noexcept {
  fields_missing_.fetch_add(count, std::memory_order_relaxed);
}

void Metrics::publish_completed(int status) noexcept {
  if (status >= 100 && status < static_cast<int>(publishes_by_status_.size())) {
    publishes_by_status_[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  }
}

std::uint64_t Metrics::publishes_with_status(int status) const noexcept {
  if (status < 100 || status >= static_cast<int>(publishes_by_status_.size())) return 0;
  return publishes_by_status_[static_cast<std::size_t>(status)].load(std::memory_order_relaxed);
}

void Metrics::events_queued(std::uint64_t deliveries) noexcept {
  deliveries_queued_.fetch_add(deliveries, std::memory_order_relaxed);
}
void Metrics::deliveries_sent(std::uint64_t count) noexcept { deliveries_sent_.fetch_add(count, std::memory_order_relaxed); }
void Metrics::delivery_acked() noexcept { deliveries_acked_.fetch_add(1, std::memory_order_relaxed); }
void Metrics::delivery_nacked() noexcept { deliveries_nacked_.fetch_add(1, std::memory_order_relaxed); }
void Metrics::delivery_answer_ignored() noexcept { delivery_answers_ignored_.fetch_add(1, std::memory_order_relaxed); }

std::size_t Metrics::handshake_index(std::string_view reason) noexcept {
  for (std::size_t i = 0; i < kHandshakeReasons.size(); ++i) {
    if (kHandshakeReasons[i] == reason) return i;
  }
  return kHandshakeReasons.size() - 1;  // "other"
}

void Metrics::handshake_failed(std::string_view reason) noexcept {
  handshake_failures_[handshake_index(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::request_completed(int status) noexcept {
  if (status >= 100 && status < static_cast<int>(requests_by_status_.size())) {
    requests_by_status_[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  }
}

std::uint64_t Metrics::handshake_failures(std::string_view reason) const noexcept {
  return handshake_failures_[handshake_index(reason)].load(std::memory_order_relaxed);
}

std::uint64_t Metrics::requests_with_status(int status) const noexcept {
  if (status < 100 || status >= static_cast<int>(requests_by_status_.size())) return 0;
  return requests_by_status_[static_cast<std::size_t>(status)].load(std::memory_order_relaxed);
}

std::string Metrics::render_prometheus() const {
  std::string out;
  out.reserve(2048);
  auto line = [&out](std::string_view text) {
    out += text;
    out += '\n';
  };
  line("# HELP pse_connections_open Client connections currently open on the mTLS listener.");
  line("# TYPE pse_connections_open gauge");
  line("pse_connections_open " + std::to_string(open_.load(std::memory_order_relaxed)));
  line("# HELP pse_connections_accepted_total Client connections accepted on the mTLS listener.");
  line("# TYPE pse_connections_accepted_total counter");
  line("pse_connections_accepted_total " + std::to_string(accepted_.load(std::memory_order_relaxed)));
  line("# HELP pse_connections_refused_total Connections refused by the listener's budgets, by reason.");
  line("# TYPE pse_connections_refused_total counter");
  for (int i = 0; i < kAdmissionRefusals; ++i) {
    line("pse_connections_refused_total{reason=\"" + std::string(to_string(static_cast<AdmissionRefusal>(i))) +
         "\"} " + std::to_string(refused_[static_cast<std::size_t>(i)].load(std::memory_order_relaxed)));
  }
  line("# HELP pse_sessions_revoked_total Open sessions closed because their identity no longer passes, by reason.");
  line("# TYPE pse_sessions_revoked_total counter");
  for (std::size_t i = 0; i < kHandshakeReasons.size(); ++i) {
    const auto count = revoked_[i].load(std::memory_order_relaxed);
    if (count > 0) {
      line("pse_sessions_revoked_total{reason=\"" + std::string(kHandshakeReasons[i]) + "\"} " + std::to_string(count));
    }
  }
  line("# HELP pse_sessions_expired_total Sessions closed at max_connection_lifetime_s.");
  line("# TYPE pse_sessions_expired_total counter");
  line("pse_sessions_expired_total " + std::to_string(expired_.load(std::memory_order_relaxed)));
  line("# HELP pse_handshake_failures_total Failed TLS handshakes by reason.");
  line("# TYPE pse_handshake_failures_total counter");
  for (std::size_t i = 0; i < kHandshakeReasons.size(); ++i) {
    line("pse_handshake_failures_total{reason=\"" + std::string(kHandshakeReasons[i]) + "\"} " +
         std::to_string(handshake_failures_[i].load(std::memory_order_relaxed)));
  }
  line("# HELP pse_requests_total HTTP requests answered on the mTLS listener, by status.");
  line("# TYPE pse_requests_total counter");
  for (std::size_t status = 100; status < requests_by_status_.size(); ++status) {
    const auto count = requests_by_status_[status].load(std::memory_order_relaxed);
    if (count > 0) {
      line("pse_requests_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(count));
    }
  }
  line("# HELP pse_connectors_open Provider connector WebSockets currently open.");
  line("# TYPE pse_connectors_open gauge");
  line("pse_connectors_open " + std::to_string(connectors_.load(std::memory_order_relaxed)));
  line("# HELP pse_exchanges_total Exchanges answered (POST /v1/exchange), by status.");
  line("# TYPE pse_exchanges_total counter");
  for (std::size_t status = 100; status < exchanges_by_status_.size(); ++status) {
    const auto count = exchanges_by_status_[status].load(std::memory_order_relaxed);
    if (count > 0) {
      line("pse_exchanges_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(count));
    }
  }
  line("# HELP pse_provider_fields_dropped_total Fields providers sent beyond what the consumer may receive.");
  line("# TYPE pse_provider_fields_dropped_total counter");
  line("pse_provider_fields_dropped_total " + std::to_string(fields_dropped_.load(std::memory_order_relaxed)));
  line("# HELP pse_provider_fields_missing_total Permitted fields a provider's record had no value for.");
  line("# TYPE pse_provider_fields_missing_total counter");
  line("pse_provider_fields_missing_total " + std::to_string(fields_missing_.load(std::memory_order_relaxed)));
  line("# HELP pse_publishes_total Publishes answered (POST /v1/publish), by status.");
  line("# TYPE pse_publishes_total counter");
  for (std::size_t status = 100; status < publishes_by_status_.size(); ++status) {
    const auto count = publishes_by_status_[status].load(std::memory_order_relaxed);
    if (count > 0) line("pse_publishes_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(count));
  }
  auto counter = [&line](std::string_view name, std::string_view help, const std::atomic<std::uint64_t>& value) {
    line("# HELP " + std::string(name) + " " + std::string(help));
    line("# TYPE " + std::string(name) + " counter");
    line(std::string(name) + " " + std::to_string(value.load(std::memory_order_relaxed)));
  };
  counter("pse_deliveries_queued_total", "Deliveries stored in subscribers' queues.", deliveries_queued_);
  counter("pse_deliveries_sent_total", "Deliveries sent to subscribers' connectors (redeliveries included).",
          deliveries_sent_);
  counter("pse_deliveries_acked_total", "Deliveries acknowledged by subscribers.", deliveries_acked_);
  counter("pse_deliveries_nacked_total", "Deliveries refused by subscribers (retried later).", deliveries_nacked_);
  counter("pse_delivery_answers_ignored_total", "Acks and nacks for deliveries not in flight.",
          delivery_answers_ignored_);
  if (extra_) out += extra_();
  return out;
}

}  // namespace pse::broker

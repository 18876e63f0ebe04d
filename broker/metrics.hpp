// The broker's operational counters, rendered in the Prometheus text format on the admin
// listener's /metrics. Updated lock-free from any thread.
#pragma once

#include "broker/admission/connection_budget.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pse::broker {

class Metrics {
 public:
  /// Handshake failure labels: reason codes (certificate_revoked, unknown_org…) plus
  /// "tls_protocol" (not TLS, wrong version, no shared cipher) and "timeout".
  /// The same labels name why an open session was closed on a reload, plus "role_withdrawn"
  /// (a connector whose organisation lost the role or category it connected with).
  static constexpr std::array<std::string_view, 13> kHandshakeReasons = {
      "certificate_required", "certificate_untrusted", "certificate_expired",
      "certificate_not_yet_valid", "certificate_revoked", "certificate_invalid",
      "certificate_profile", "identity_missing", "unknown_org", "role_withdrawn",
      "tls_protocol", "timeout", "other"};

  void connection_accepted() noexcept;
  void connection_closed() noexcept;
  /// A connection refused by the listener's budgets (or an accept that failed).
  void connection_refused(AdmissionRefusal why) noexcept;
  /// An open session closed because its identity no longer passes (revoked certificate,
  /// organisation removed or demoted); `reason` is a handshake reason label.
  void session_revoked(std::string_view reason) noexcept;
  /// A session closed because it reached max_connection_lifetime.
  void session_expired() noexcept;
  void handshake_failed(std::string_view reason) noexcept;
  void request_completed(int status) noexcept;
  /// A connection upgraded to a connector WebSocket (counted in open connections too).
  void connector_connected() noexcept;
  void connector_disconnected() noexcept;
  void exchange_completed(int status) noexcept;
  void provider_fields_dropped(std::uint64_t count) noexcept;
  /// Permitted fields a provider's record had no value for (listed field_not_provided).
  void provider_fields_missing(std::uint64_t count) noexcept;
  void publish_completed(int status) noexcept;
  void events_queued(std::uint64_t deliveries) noexcept;
  void deliveries_sent(std::uint64_t count) noexcept;
  void delivery_acked() noexcept;
  void delivery_nacked() noexcept;
  /// An ack or nack for a delivery that was not in flight (late, repeated or foreign).
  void delivery_answer_ignored() noexcept;

  /// Lines appended to /metrics, computed at scrape time (the delivery queues' depths). Set
  /// once, before the listeners start.
  void set_extra_source(std::function<std::string()> source) { extra_ = std::move(source); }

  std::int64_t open_connections() const noexcept { return open_.load(std::memory_order_relaxed); }
  std::int64_t open_connectors() const noexcept { return connectors_.load(std::memory_order_relaxed); }
  std::uint64_t handshake_failures(std::string_view reason) const noexcept;
  std::uint64_t connections_refused(AdmissionRefusal why) const noexcept;
  std::uint64_t sessions_revoked(std::string_view reason) const noexcept;
  std::uint64_t requests_with_status(int status) const noexcept;
  std::uint64_t publishes_with_status(int status) const noexcept;

  std::string render_prometheus() const;

 private:
  static std::size_t handshake_index(std::string_view reason) noexcept;

  std::atomic<std::int64_t> open_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::array<std::atomic<std::uint64_t>, kAdmissionRefusals> refused_{};
  std::array<std::atomic<std::uint64_t>, kHandshakeReasons.size()> revoked_{};
  std::atomic<std::uint64_t> expired_{0};
  std::atomic<std::int64_t> connectors_{0};
  std::atomic<std::uint64_t> fields_dropped_{0};
  std::atomic<std::uint64_t> fields_missing_{0};
  std::array<std::atomic<std::uint64_t>, 600> exchanges_by_status_{};
  std::array<std::atomic<std::uint64_t>, kHandshakeReasons.size()> handshake_failures_{};
  std::array<std::atomic<std::uint64_t>, 600> requests_by_status_{};  // index = HTTP status
  std::array<std::atomic<std::uint64_t>, 600> publishes_by_status_{};
  std::atomic<std::uint64_t> deliveries_queued_{0};
  std::atomic<std::uint64_t> deliveries_sent_{0};
  std::atomic<std::uint64_t> deliveries_acked_{0};
  std::atomic<std::uint64_t> deliveries_nacked_{0};
  std::atomic<std::uint64_t> delivery_answers_ignored_{0};
  std::function<std::string()> extra_;
};

}  // namespace pse::broker

// Who may talk to the admin listener, and how many at once.
//
// The admin listener answers the platform operator's tools — probes, Prometheus, the
// dead-letter replay — and nobody else. On loopback, any process of the host can connect, and
// so can a browser running there: a page could reach it through DNS rebinding (its own name
// resolving to 127.0.0.1, so a foreign Host header) or send it a cross-site POST. So every
// request must name the listener itself in Host, must not come from another site (Origin,
// Sec-Fetch-Site), and a state-changing route (anything but GET and HEAD) needs the bearer
// token. Served over mutual TLS instead, the caller's organisation must also hold the operator
// role. No Asio here: the sessions hand over the few headers that matter.
#pragma once

#include "broker/admin/admin_token.hpp"
#include "broker/config.hpp"
#include "broker/http_types.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pse::broker {

/// The headers the gate looks at, as received (absent = std::nullopt).
struct AdminHeaders {
  std::optional<std::string_view> host;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> fetch_site;  ///< Sec-Fetch-Site, sent by browsers
  std::optional<std::string_view> authorization;
};
// A header that came twice is handed over as empty, which no check accepts: never pick one.

class AdminGate {
 public:
  AdminGate(const Endpoint& endpoint, const AdminAccess& access, const Limits& limits);

  /// The port the listener bound (the configuration may say 0): Host and Origin must name it.
  void set_port(std::uint16_t port) { port_ = port; }
  bool mtls() const { return mtls_; }
  /// The broker's limits, with room for no request body: admin routes take none.
  const Limits& limits() const { return limits_; }

  /// One admitted connection; gives its place back when destroyed.
  class Slot {
   public:
    explicit Slot(std::atomic<std::int64_t>& open) : open_(&open) {}
    Slot(Slot&& other) noexcept : open_(std::exchange(other.open_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (open_ != nullptr) open_->fetch_sub(1, std::memory_order_relaxed);
    }

   private:
    std::atomic<std::int64_t>* open_;
  };

  /// A place for a new connection, or std::nullopt at admin.max_connections (counted).
  std::optional<Slot> admit();

  /// std::nullopt when the request may go on to the routes, else the refusal to send (counted).
  std::optional<HttpResponse> check(const HttpRequest& request, const AdminHeaders& headers);
  /// The refusal for an mTLS caller whose certificate names no organisation with the operator
  /// role (counted).
  HttpResponse refuse_not_operator(std::string_view who);
  void handshake_failed() { handshake_failures_.fetch_add(1, std::memory_order_relaxed); }

  /// pse_admin_* lines for /metrics.
  std::string prometheus() const;

 private:
  static constexpr std::array<Reason, 5> kRefusals = {Reason::host_not_allowed, Reason::origin_not_allowed,
                                                      Reason::token_required, Reason::token_invalid,
                                                      Reason::not_operator};

  HttpResponse refuse(Reason reason, std::string_view message);
  bool names_this_listener(std::string_view authority) const;
  bool is_same_origin(std::string_view origin) const;

  bool mtls_;
  std::uint16_t port_;
  std::uint32_t max_connections_;
  Limits limits_;
  AdminToken token_;
  std::vector<std::string> host_names_;  // lowercase; IPv6 in brackets
  std::atomic<std::int64_t> open_{0};
  std::atomic<std::uint64_t> refused_connections_{0};
  std::atomic<std::uint64_t> handshake_failures_{0};
  std::array<std::atomic<std::uint64_t>, kRefusals.size()> refusals_{};
};

}  // namespace pse::broker

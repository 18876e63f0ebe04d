// OrgAdmission — per-organisation limits, applied before a request leaves any audit entry.
//
// Every exchange and every publish the broker decides on costs durable audit entries (one per
// subscriber for a publish), and the audit writer, its pending queue and its disk are shared by
// every body. A per-rule rate limit cannot protect them: it is checked after policy and consent,
// and the refusal it gives is itself audited. So each request is admitted first, by the
// organisation of its certificate alone — before its body is parsed, before policy, before the
// audit log:
//
//   exchange_rate       POST /v1/exchange per consumer organisation (token bucket)
//   publish_rate        POST /v1/publish per publisher organisation (token bucket)
//   publish_in_flight   publishes of one organisation not answered yet
//   audit_share         decided by the audit log (AuditLogOptions::max_pending_per_org) and
//                       only counted here: an organisation's entries waiting for the writer
//
// A refusal is 429 `rate_limited` with `Retry-After` (seconds) and leaves no audit entry: that
// is the point — one body cannot turn its own flood into audit entries that fill the queue
// (then every exchange of every body fails closed) or the disk. What it leaves instead is a
// counter per organisation and kind (`pse_admission_refused_total{org,kind}`) and at most one
// warning line per organisation and kind every 10 seconds, with the count refused since the
// previous line.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include "broker/exchange/rate_limiter.hpp"
#include "broker/http_types.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pse::broker {

struct AdmissionLimits {
  double exchange_rate = 1000;  ///< exchanges per second, per consumer organisation
  std::uint32_t exchange_burst = 2000;
  double publish_rate = 200;  ///< publishes per second, per publisher organisation
  std::uint32_t publish_burst = 400;
  std::uint32_t publishes_in_flight = 64;  ///< per publisher organisation
};

enum class AdmissionKind { exchange_rate, publish_rate, publish_in_flight, audit_share };
std::string_view to_string(AdmissionKind kind) noexcept;

class OrgAdmission {
 public:
  using Clock = RateLimiter::Clock;

  struct Refusal {
    AdmissionKind kind;
    std::uint32_t retry_after_seconds;  ///< at least 1
  };

  /// A publish's place among its organisation's publishes in flight, given back when destroyed.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(OrgAdmission* admission, std::string org) : admission_(admission), org_(std::move(org)) {}
    Ticket(Ticket&& other) noexcept : admission_(std::exchange(other.admission_, nullptr)), org_(std::move(other.org_)) {}
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();

   private:
    OrgAdmission* admission_ = nullptr;
    std::string org_;
  };

  explicit OrgAdmission(AdmissionLimits limits) : limits_(limits) {}

  /// One exchange of `org`; a refusal is counted and logged.
  std::optional<Refusal> admit_exchange(std::string_view org, Clock::time_point now = Clock::now());

  /// One publish of `org`: its rate, then a place in flight held by `ticket` until the answer.
  std::optional<Refusal> admit_publish(std::string_view org, Ticket& ticket, Clock::time_point now = Clock::now());

  /// Counts and logs a refusal decided elsewhere (the audit log's per-organisation share).
  void count_refusal(std::string_view org, AdmissionKind kind, Clock::time_point now = Clock::now());

  /// pse_admission_refused_total{org,kind}, in the Prometheus text format.
  std::string render_metrics() const;

  /// Refusals of `org` of that kind since start (tests, metrics).
  std::uint64_t refusals(std::string_view org, AdmissionKind kind) const;

 private:
  static constexpr std::size_t kKinds = 4;
  struct OrgState {
    std::uint32_t publishes_in_flight = 0;
    std::array<std::uint64_t, kKinds> refused{};
    std::array<std::uint64_t, kKinds> refused_since_line{};
    std::array<std::optional<Clock::time_point>, kKinds> last_line;
  };

  Refusal refuse(std::string_view org, AdmissionKind kind, Clock::duration wait, Clock::time_point now);
  void release_publish(const std::string& org);

  AdmissionLimits limits_;
  RateLimiter exchange_buckets_;
  RateLimiter publish_buckets_;
  mutable std::mutex mutex_;
  std::map<std::string, OrgState, std::less<>> orgs_;  // organisations are few (orgs.yaml)
};

/// 429 rate_limited with its Retry-After, for a refusal at admission.
HttpResponse rate_limited_response(const OrgAdmission::Refusal& refusal);

}  // namespace pse::broker

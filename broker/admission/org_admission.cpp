#include "broker/admission/org_admission.hpp"

#include "base/log.hpp"

#include <algorithm>
#include <cmath>

namespace pse::broker {
namespace {

// One warning line per organisation and kind at most this often: the counter has the rest.
constexpr auto kLogInterval = std::chrono::seconds(10);

constexpr std::array<AdmissionKind, 4> kAllKinds = {AdmissionKind::exchange_rate, AdmissionKind::publish_rate,
                                                   AdmissionKind::publish_in_flight, AdmissionKind::audit_share};

std::size_t index(AdmissionKind kind) { return static_cast<std::size_t>(kind); }

std::uint32_t whole_seconds_at_least_one(OrgAdmission::Clock::duration wait) {
  const double seconds = std::ceil(std::chrono::duration<double>(wait).count());
  return static_cast<std::uint32_t>(std::clamp(seconds, 1.0, 3600.0));
}

}  // namespace

std::string_view to_string(AdmissionKind kind) noexcept {
  switch (kind) {
    case AdmissionKind::exchange_rate: return "exchange_rate";
    case AdmissionKind::publish_rate: return "publish_rate";
    case AdmissionKind::publish_in_flight: return "publish_in_flight";
    case AdmissionKind::audit_share: return "audit_share";
  }
  return "unknown";
}

OrgAdmission::Ticket& OrgAdmission::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    if (admission_ != nullptr) admission_->release_publish(org_);
    admission_ = std::exchange(other.admission_, nullptr);
    org_ = std::move(other.org_);
  }
  return *this;
}

OrgAdmission::Ticket::~Ticket() {
  if (admission_ != nullptr) admission_->release_publish(org_);
}

std::optional<OrgAdmission::Refusal> OrgAdmission::admit_exchange(std::string_view org, Clock::time_point now) {
  const auto wait = exchange_buckets_.take(org, limits_.exchange_burst, limits_.exchange_rate, now);
  if (!wait) return std::nullopt;
  return refuse(org, AdmissionKind::exchange_rate, *wait, now);
}

std::optional<OrgAdmission::Refusal> OrgAdmission::admit_publish(std::string_view org, Ticket& ticket,
                                                                 Clock::time_point now) {
  bool has_place = false;
  {
    // In flight first: a publisher at its limit must not also spend its tokens.
    std::lock_guard lock(mutex_);
    auto it = orgs_.find(org);
    if (it == orgs_.end()) it = orgs_.emplace(std::string(org), OrgState{}).first;
    if (it->second.publishes_in_flight < limits_.publishes_in_flight) {
      ++it->second.publishes_in_flight;
      has_place = true;
    }
  }
  if (!has_place) return refuse(org, AdmissionKind::publish_in_flight, std::chrono::seconds(1), now);
  Ticket place(this, std::string(org));
  if (const auto wait = publish_buckets_.take(org, limits_.publish_burst, limits_.publish_rate, now)) {
    return refuse(org, AdmissionKind::publish_rate, *wait, now);  // `place` is given back
  }
  ticket = std::move(place);
  return std::nullopt;
}

void OrgAdmission::count_refusal(std::string_view org, AdmissionKind kind, Clock::time_point now) {
  (void)refuse(org, kind, std::chrono::seconds(1), now);
}

OrgAdmission::Refusal OrgAdmission::refuse(std::string_view org, AdmissionKind kind, Clock::duration wait,
                                           Clock::time_point now) {
  const Refusal refusal{kind, whole_seconds_at_least_one(wait)};
  std::uint64_t to_log = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = orgs_.find(org);
    if (it == orgs_.end()) it = orgs_.emplace(std::string(org), OrgState{}).first;
    OrgState& state = it->second;
    ++state.refused[index(kind)];
    ++state.refused_since_line[index(kind)];
    auto& last = state.last_line[index(kind)];
    if (!last || now - *last >= kLogInterval) {
      last = now;
      to_log = std::exchange(state.refused_since_line[index(kind)], 0);
    }
  }
  if (to_log > 0) {
    log::warn("organisation over its limit: requests refused (429) and not audited",
              {{"org", org}, {"kind", to_string(kind)}, {"refused", to_log},
               {"retry_after_s", refusal.retry_after_seconds}});
  }
  return refusal;
}

void OrgAdmission::release_publish(const std::string& org) {
  std::lock_guard lock(mutex_);
  if (auto it = orgs_.find(org); it != orgs_.end() && it->second.publishes_in_flight > 0) {
    --it->second.publishes_in_flight;
  }
}

std::uint64_t OrgAdmission::refusals(std::string_view org, AdmissionKind kind) const {
  std::lock_guard lock(mutex_);
  const auto it = orgs_.find(org);
  return it == orgs_.end() ? 0 : it->second.refused[index(kind)];
}

std::string OrgAdmission::render_metrics() const {
  std::string out =
      "# HELP pse_admission_refused_total Requests refused at an organisation's limit before any audit entry, "
      "by organisation and kind.\n"
      "# TYPE pse_admission_refused_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [org, state] : orgs_) {
    for (AdmissionKind kind : kAllKinds) {
      if (state.refused[index(kind)] == 0) continue;
      out += "pse_admission_refused_total{org=\"" + org + "\",kind=\"" + std::string(to_string(kind)) + "\"} " +
             std::to_string(state.refused[index(kind)]) + "\n";
    }
  }
  return out;
}

HttpResponse rate_limited_response(const OrgAdmission::Refusal& refusal) {
  HttpResponse response = error_response(
      Reason::rate_limited, "your organisation is over its " + std::string(to_string(refusal.kind)) +
                                " limit; retry after " + std::to_string(refusal.retry_after_seconds) + " s");
  response.retry_after_seconds = refusal.retry_after_seconds;
  return response;
}

}  // namespace pse::broker

#include "broker/consent/consent_record.hpp"

#include "base/random_id.hpp"

#include <algorithm>

namespace pse::consent {

std::string_view to_string(GiverKind kind) noexcept {
  switch (kind) {
    case GiverKind::subject: return "subject";
    case GiverKind::mandatary: return "mandatary";
    case GiverKind::guardian: return "guardian";
  }
  return "subject";
}

std::optional<GiverKind> giver_kind_from_string(std::string_view text) noexcept {
  for (GiverKind kind : {GiverKind::subject, GiverKind::mandatary, GiverKind::guardian}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

std::string_view to_string(ConsentState state) noexcept {
  switch (state) {
    case ConsentState::given: return "given";
    case ConsentState::revoked: return "revoked";
    case ConsentState::expired: return "expired";
    case ConsentState::superseded: return "superseded";
  }
  return "given";
}

ConsentState Consent::state_at(Instant now) const {
  if (!superseded_by.empty()) return ConsentState::superseded;
  if (revoked_at && *revoked_at <= now) return ConsentState::revoked;
  if (now >= expires_at) return ConsentState::expired;
  return ConsentState::given;
}

std::string_view to_string(MandateState state) noexcept {
  switch (state) {
    case MandateState::active: return "active";
    case MandateState::pending: return "pending";
    case MandateState::revoked: return "revoked";
    case MandateState::expired: return "expired";
  }
  return "revoked";
}

// A revocation wins over the dates: a mandate revoked before it began never was in force.
MandateState Mandate::state_at(Instant now) const {
  if (revoked_at && *revoked_at <= now) return MandateState::revoked;
  if (now < valid_from) return MandateState::pending;
  if (now >= valid_until) return MandateState::expired;
  return MandateState::active;
}

bool Mandate::covers(std::string_view category, std::string_view purpose) const {
  auto contains = [](const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  return contains(categories, category) && contains(purposes, purpose);
}

std::string new_record_id(std::string_view prefix) { return random_id(prefix); }

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    items.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace pse::consent

#include "broker/consent/consent_record.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

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

bool Mandate::covers(std::string_view category, std::string_view purpose) const {
  auto contains = [](const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  return contains(categories, category) && contains(purposes, purpose);
}

std::string new_record_id(std::string_view prefix) {
  std::array<unsigned char, 16> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
  return std::string(prefix) + hex.data();
}

}  // namespace pse::consent

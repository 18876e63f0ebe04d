#include "broker/admission/availability.hpp"

#include <algorithm>

namespace pse::broker {

std::size_t slots_for(std::size_t capacity, int availability) noexcept {
  const int rating = std::clamp(availability, 0, policy::kHighestLevel);
  const std::size_t slots = capacity * static_cast<std::size_t>(kAvailabilityShare[rating]) / 100;
  return capacity == 0 ? 0 : std::max<std::size_t>(slots, 1);
}

std::chrono::milliseconds provider_timeout_for(const policy::Category* category,
                                               std::chrono::milliseconds configured) noexcept {
  if (category == nullptr) return configured;
  if (category->provider_timeout_ms > 0) return std::chrono::milliseconds(category->provider_timeout_ms);
  switch (category->impact.availability) {
    case 2:
      return configured * 6 / 10;
    case 3:
      return configured * 4 / 10;
    default:
      return configured;
  }
}

}  // namespace pse::broker

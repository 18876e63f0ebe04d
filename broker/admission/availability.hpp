// Availability (D) decides who gets the last of a bounded capacity.
//
// Each data category is rated 0–3 for availability in the classification: how much harm its
// being unavailable does. Under overload the hub must keep serving the categories rated high,
// so every bounded capacity an exchange takes — the slots of a provider's connector
// (`max_in_flight` of its hello) and a consumer's exchanges in flight
// (`limits.max_in_flight_per_org`) — is shared by rating: a request of rating D is admitted
// only while fewer than slots_for(capacity, D) are taken. A flood of low-rated requests can
// then fill half of a connector (D0) or 65 % of it (D1), never the room kept for the others;
// a D3 request may use it all. Refused requests get 503 `overloaded`, which clients retry.
//
// The provider timeout follows the rating too, unless the category sets its own
// (`provider_timeout_ms` in classification.yaml): a category that must stay available must not
// hold its slots long behind a provider that has stalled, so D2 waits 60 % and D3 40 % of the
// broker's `limits.provider_timeout_ms` (5 s by default: 3 s and 2 s), D0 and D1 all of it.
#pragma once

#include "policy/classification.hpp"

#include <chrono>
#include <cstddef>

namespace pse::broker {

/// The share (percent) of a capacity a request of availability rating 0–3 may fill.
inline constexpr int kAvailabilityShare[policy::kHighestLevel + 1] = {50, 65, 85, 100};

/// How many of `capacity` slots may be taken when a request of rating `availability` is
/// admitted (at least 1 of a non-zero capacity, so that nothing is refused forever).
std::size_t slots_for(std::size_t capacity, int availability) noexcept;

/// How long to wait for a provider's record in `category` (nullptr: an unknown category,
/// rated 0), given the broker's configured provider timeout.
std::chrono::milliseconds provider_timeout_for(const policy::Category* category,
                                               std::chrono::milliseconds configured) noexcept;

}  // namespace pse::broker

#include "provider/backoff.hpp"

#include <algorithm>

namespace pse::provider {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum, std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      maximum_(std::max(maximum, initial_)),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  auto ceiling = initial_;
  // Doubling stops at the maximum, so the shift never overflows however long the outage.
  for (unsigned i = 0; i < attempt_ && ceiling < maximum_; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, maximum_);
  if (ceiling < maximum_) ++attempt_;
  const auto floor = std::max(initial_, ceiling / 2);
  std::uniform_int_distribution<std::int64_t> pick(floor.count(), ceiling.count());
  return std::chrono::milliseconds(pick(random_));
}

}  // namespace pse::provider

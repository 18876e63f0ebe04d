// Reconnection delays: exponential growth with jitter, so that every connector of a platform
// does not knock on a restarted broker at the same instant.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace pse::provider {

class Backoff {
 public:
  /// Delays start at `initial` and double up to `maximum`; `seed` makes tests repeatable.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum, std::uint64_t seed);

  /// The next delay: uniform in [max(initial, ceiling / 2), ceiling], where the ceiling is
  /// initial·2^attempt capped at maximum. Half the ceiling stays random, which spreads the
  /// herd, and the floor keeps the growth exponential.
  std::chrono::milliseconds next();

  /// After a successful connection: the next delay is `initial` again.
  void reset() { attempt_ = 0; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds maximum_;
  unsigned attempt_ = 0;
  std::mt19937_64 random_;
};

}  // namespace pse::provider

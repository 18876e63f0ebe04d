// load_driver.hpp — runs the connections: warm-up, then the timed phase, then a clean stop.
#pragma once

#include "options.hpp"
#include "stats.hpp"

namespace pse::load {

struct RunResult {
  Stats stats;
  double timed_seconds = 0;         ///< length of the timed phase actually run
  std::size_t connected = 0;        ///< connections that completed their first handshake
};

/// Blocks for warm-up + duration (or until the request count), then returns the merged stats.
RunResult run_load(const Options& options);

}  // namespace pse::load

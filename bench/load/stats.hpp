// stats.hpp — what one I/O thread measured; the threads' stats are merged for the report.
#pragma once

#include "histogram.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace pse::load {

struct Stats {
  Histogram latency;                           ///< nanoseconds, timed requests only
  std::uint64_t completed = 0;                 ///< timed requests answered (any status)
  std::uint64_t succeeded = 0;                 ///< of which 2xx (or handshakes completed)
  std::uint64_t response_bytes = 0;            ///< bodies of the 2xx answers
  std::map<std::string, std::uint64_t> outcomes;  ///< "kind reason" → count, e.g. "allowed ok"
  std::map<std::string, std::uint64_t> errors;    ///< reason → count, every non-2xx or failure

  void merge(const Stats& other) {
    latency.merge(other.latency);
    completed += other.completed;
    succeeded += other.succeeded;
    response_bytes += other.response_bytes;
    for (const auto& [key, count] : other.outcomes) outcomes[key] += count;
    for (const auto& [key, count] : other.errors) errors[key] += count;
  }
};

}  // namespace pse::load

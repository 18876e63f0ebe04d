// Reconnection delays stay within 100 ms … 10 s, grow exponentially, and are jittered.
#include "provider/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pse::provider {
namespace {
using std::chrono::milliseconds;

TEST(Backoff, StaysWithinItsBoundsAndGrows) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    Backoff backoff(milliseconds(100), milliseconds(10000), seed);
    milliseconds ceiling(100);
    for (int attempt = 0; attempt < 40; ++attempt) {
      const auto delay = backoff.next();
      EXPECT_GE(delay, milliseconds(100));
      EXPECT_LE(delay, milliseconds(10000));
      EXPECT_LE(delay, ceiling) << "attempt " << attempt;
      EXPECT_GE(delay, std::max(milliseconds(100), ceiling / 2)) << "attempt " << attempt;
      ceiling = std::min(ceiling * 2, milliseconds(10000));
    }
  }
}

TEST(Backoff, FirstDelayIsTheInitialOne) {
  Backoff backoff(milliseconds(100), milliseconds(10000), 7);
  EXPECT_EQ(backoff.next(), milliseconds(100));
}

TEST(Backoff, ReachesTheMaximumAndIsJitteredThere) {
  Backoff backoff(milliseconds(100), milliseconds(10000), 1);
  for (int i = 0; i < 10; ++i) (void)backoff.next();
  std::set<long> seen;
  for (int i = 0; i < 20; ++i) {
    const auto delay = backoff.next();
    EXPECT_GE(delay, milliseconds(5000));
    seen.insert(static_cast<long>(delay.count()));
  }
  EXPECT_GT(seen.size(), 10u) << "delays at the ceiling should be spread";
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff(milliseconds(100), milliseconds(10000), 3);
  for (int i = 0; i < 8; ++i) (void)backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next(), milliseconds(100));
}

TEST(Backoff, DifferentSeedsSpreadTheHerd) {
  std::set<long> fifth;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Backoff backoff(milliseconds(100), milliseconds(10000), seed);
    for (int i = 0; i < 4; ++i) (void)backoff.next();
    fifth.insert(static_cast<long>(backoff.next().count()));
  }
  EXPECT_GT(fifth.size(), 5u);
}

}  // namespace
}  // namespace pse::provider

// IdempotencyCache on its own: first attempt, retries answered or waiting, transient outcomes
// forgotten, and both bounds (entries and bytes).
#include "broker/exchange/idempotency_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pse::broker {
namespace {

using namespace std::chrono_literals;

HttpResponse answer(int status, std::size_t body_bytes) { return HttpResponse{status, "application/json", std::string(body_bytes, 'x')}; }

TEST(IdempotencyCache, RetryAfterCompletionGetsTheFirstAnswer) {
  IdempotencyCache cache(600s, 100);
  std::vector<int> seen;
  EXPECT_EQ(cache.claim("ramq", "r1", [&](const HttpResponse& r) { seen.push_back(r.status); }),
            IdempotencyCache::Claim::first);
  cache.complete("ramq", "r1", answer(200, 10));
  EXPECT_EQ(cache.claim("ramq", "r1", [&](const HttpResponse& r) { seen.push_back(r.status); }),
            IdempotencyCache::Claim::answered);
  EXPECT_EQ(seen, std::vector<int>{200});
  // Another consumer's same id is another request.
  EXPECT_EQ(cache.claim("saaq", "r1", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
}

TEST(IdempotencyCache, RetryDuringTheFirstAttemptWaitsForIt) {
  IdempotencyCache cache(600s, 100);
  int waited = 0;
  ASSERT_EQ(cache.claim("ramq", "r1", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
  EXPECT_EQ(cache.claim("ramq", "r1", [&](const HttpResponse& r) { waited = r.status; }),
            IdempotencyCache::Claim::waiting);
  cache.complete("ramq", "r1", answer(403, 10));
  EXPECT_EQ(waited, 403);
}

TEST(IdempotencyCache, TransientOutcomesAreNotRemembered) {
  IdempotencyCache cache(600s, 100);
  ASSERT_EQ(cache.claim("ramq", "r1", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
  cache.complete("ramq", "r1", answer(503, 10));
  EXPECT_EQ(cache.claim("ramq", "r1", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(IdempotencyCache, TheOldestAnswersGoFirstBeyondTheEntryBound) {
  IdempotencyCache cache(600s, 3);
  for (int i = 0; i < 5; ++i) {
    const std::string id = "r" + std::to_string(i);
    ASSERT_EQ(cache.claim("ramq", id, [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
    cache.complete("ramq", id, answer(200, 10));
  }
  EXPECT_LE(cache.size(), 4u);  // evicted at the next claim, down to the bound
  EXPECT_EQ(cache.claim("ramq", "r0", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
  EXPECT_EQ(cache.claim("ramq", "r4", [](const HttpResponse&) {}), IdempotencyCache::Claim::answered);
}

TEST(IdempotencyCache, LargeAnswersAreBoundedInBytes) {
  constexpr std::size_t budget = 1024 * 1024;
  IdempotencyCache cache(600s, 100'000, budget);
  for (int i = 0; i < 40; ++i) {
    const std::string id = "big-" + std::to_string(i);
    ASSERT_EQ(cache.claim("ramq", id, [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
    cache.complete("ramq", id, answer(200, 100 * 1024));
    EXPECT_LE(cache.bytes(), budget);
  }
  EXPECT_GT(cache.bytes(), budget / 2);
  EXPECT_EQ(cache.claim("ramq", "big-39", [](const HttpResponse&) {}), IdempotencyCache::Claim::answered);
  EXPECT_EQ(cache.claim("ramq", "big-0", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
}

TEST(IdempotencyCache, ARunningAttemptIsNeverForgotten) {
  IdempotencyCache cache(600s, 100'000, 1024);
  int waited = 0;
  ASSERT_EQ(cache.claim("ramq", "slow", [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "r" + std::to_string(i);
    ASSERT_EQ(cache.claim("ramq", id, [](const HttpResponse&) {}), IdempotencyCache::Claim::first);
    cache.complete("ramq", id, answer(200, 512));
  }
  EXPECT_EQ(cache.claim("ramq", "slow", [&](const HttpResponse& r) { waited = r.status; }),
            IdempotencyCache::Claim::waiting);
  cache.complete("ramq", "slow", answer(200, 10));
  EXPECT_EQ(waited, 200);
}

}  // namespace
}  // namespace pse::broker

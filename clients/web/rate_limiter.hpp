// Rate limiting of form posts: a token bucket per client, refilled continuously.
//
// A client is an IPv4 address, or an IPv6 /64: one subscriber line or host usually holds a
// whole /64 and can pick any address in it, so counting per IPv6 address would give it 2^64
// budgets. (An IPv4-mapped IPv6 address counts as its IPv4 address.)
//
// Memory is bounded: at most `max_clients` buckets, the least recently used forgotten first
// when a new client comes. A flood of fresh addresses thus only makes the limiter forget the
// clients it has not heard from for the longest time — usually buckets long refilled — instead
// of resetting everyone's limit at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pse::web {

/// The client an address counts as: "192.0.2.1" for IPv4 (and ::ffff:192.0.2.1), the /64
/// prefix ("2001:db8:1:2::/64") for IPv6; any other text as it is.
std::string rate_limit_client(std::string_view address);

class RateLimiter {
 public:
  /// At most `burst` requests at once, refilled at `burst` per `window_ms`.
  RateLimiter(int burst, std::int64_t window_ms, std::size_t max_clients = 100000);

  /// True when a request from `address` (see rate_limit_client) at `now_ms` (a monotonic
  /// clock) may proceed; it then spends one token of that client's bucket.
  bool allow(std::string_view address, std::int64_t now_ms);

  /// Buckets held now (at most max_clients).
  std::size_t clients() const;

 private:
  struct Bucket {
    std::string client;
    double tokens;
    std::int64_t updated_ms;
  };
  double refill(Bucket& bucket, std::int64_t now_ms) const;

  int burst_;
  std::int64_t window_ms_;
  std::size_t max_clients_;
  mutable std::mutex mutex_;
  std::list<Bucket> recent_;  ///< most recently used first
  /// Keys view the client strings held by recent_'s nodes, which never move.
  std::unordered_map<std::string_view, std::list<Bucket>::iterator> buckets_;
};

}  // namespace pse::web

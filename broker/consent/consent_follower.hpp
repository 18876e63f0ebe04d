// ConsentFollower — keeps this broker's consent index current with what every broker of the
// hub records, and makes revocations strict across brokers (PostgreSQL only).
//
// Every write to the consent tables adds a row to consent_changes (a trigger, which also
// NOTIFYs pse_consent_changes and takes a transaction lock so that change ids commit in order).
// A thread of this broker LISTENs, reads the changes past the last one it applied, re-reads
// each record and applies it to the index, then records in `brokers` how far it has got with a
// heartbeat. Then:
//
// * current(): false once the last successful round is older than `lease` — consent checks
//   then fail closed, so a broker cut off from the database never serves on a stale index;
// * wait_until_applied_everywhere(): a revocation is answered once every live broker (one whose
//   heartbeat is younger than lease + margin) has applied every change committed so far. A
//   broker that stopped heartbeating is waited for no longer than it takes to become stale —
//   by then it refuses on its own, since it times its lease from before its heartbeat.
#pragma once

#include "base/postgres.hpp"
#include "broker/consent/consent_registry.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace pse::consent {

struct FollowerOptions {
  std::string broker_id;                              ///< unique among the hub's live brokers
  std::chrono::milliseconds poll_interval{100};       ///< heartbeat, and a read when no NOTIFY came
  std::chrono::milliseconds lease{2'000};             ///< older than this, this broker's index is stale
  std::chrono::milliseconds lease_margin{500};        ///< added when judging another broker
  std::chrono::milliseconds propagation_timeout{10'000};
};

class ConsentFollower final : public ConsentPropagation {
 public:
  /// The last change id before the registry loaded its index: read it before constructing the
  /// registry, so that no change falls between the load and the first round.
  static PgResult<std::int64_t> last_change(PgConnection& connection);

  /// Registers this broker, then follows from `applied` on a thread of its own. Throws
  /// ConfigError when it cannot connect.
  ConsentFollower(const PgConnectOptions& options, ConsentRegistry& registry, std::int64_t applied,
                  FollowerOptions follower_options);
  ~ConsentFollower() override;  ///< stops the thread and deregisters
  ConsentFollower(const ConsentFollower&) = delete;
  ConsentFollower& operator=(const ConsentFollower&) = delete;

  bool current() const override;
  Status wait_until_applied_everywhere() override;

  std::int64_t applied() const { return applied_.load(); }

 private:
  void run();
  bool follow_round();  // false when the database failed

  ConsentRegistry& registry_;
  FollowerOptions options_;
  PgConnection listener_;      // the thread's: LISTEN, reads, heartbeats
  std::mutex waiter_mutex_;    // guards waiter_
  PgConnection waiter_;        // revocations waiting for the others
  std::atomic<std::int64_t> applied_;
  std::atomic<std::int64_t> last_round_start_ns_{0};  // steady clock, of the last successful round
  std::atomic<bool> stopping_{false};
  std::uint64_t rounds_ = 0;  // the thread's
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace pse::consent

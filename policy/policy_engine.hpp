// PolicyEngine: the current PolicySnapshot, swapped atomically on reload.
//
// Decisions read the current snapshot through an atomic shared_ptr and keep it alive for as
// long as they use it, so a reload never waits for decisions and decisions never see a
// half-built snapshot. A reload builds and checks the new snapshot entirely off the hot path;
// if anything is wrong with the files, the old snapshot stays in force and the errors are
// returned for the caller to report (the broker on SIGHUP, an admin endpoint, a test).
#pragma once

#include "base/config_error.hpp"
#include "policy/decision.hpp"
#include "policy/policy_config.hpp"
#include "policy/snapshot.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace pse::policy {

class PolicyEngine {
 public:
  /// `initial` must not be null: an engine always has a snapshot to decide with.
  explicit PolicyEngine(std::shared_ptr<const PolicySnapshot> initial);

  /// Loads `paths`; throws the first ConfigError when they do not compile (start-up only).
  static std::unique_ptr<PolicyEngine> load(const PolicyConfigPaths& paths);

  PolicyEngine(const PolicyEngine&) = delete;
  PolicyEngine& operator=(const PolicyEngine&) = delete;

  Decision decide(const DecisionRequest& request) const;

  /// The snapshot in force now; it stays valid while the caller holds it, even across reloads.
  std::shared_ptr<const PolicySnapshot> snapshot() const;

  /// Rebuilds from `paths`. Empty result: the new snapshot is in force. Otherwise the old one
  /// stays in force and the result says why the new files were refused.
  std::vector<ConfigError> reload(const PolicyConfigPaths& paths);

  /// Puts an already compiled snapshot in force (null is ignored).
  void replace(std::shared_ptr<const PolicySnapshot> snapshot);

  /// How many reloads succeeded since construction (for metrics and tests).
  std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::shared_ptr<const PolicySnapshot>> current_;
  std::atomic<std::uint64_t> generation_{0};
  std::mutex reload_mutex_;  ///< one reload at a time; decisions never take it
};

}  // namespace pse::policy

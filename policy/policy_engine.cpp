#include "policy/policy_engine.hpp"

#include <stdexcept>
#include <utility>

namespace pse::policy {

PolicyEngine::PolicyEngine(std::shared_ptr<const PolicySnapshot> initial) {
  if (!initial) throw std::invalid_argument("PolicyEngine needs a snapshot");
  current_.store(std::move(initial));
}

std::unique_ptr<PolicyEngine> PolicyEngine::load(const PolicyConfigPaths& paths) {
  CompileOutcome outcome = load_policy_config(paths);
  if (!outcome.snapshot) throw outcome.errors.front();
  return std::make_unique<PolicyEngine>(std::move(outcome.snapshot));
}

Decision PolicyEngine::decide(const DecisionRequest& request) const {
  const std::shared_ptr<const PolicySnapshot> snapshot = current_.load(std::memory_order_acquire);
  return snapshot->decide(request);
}

std::shared_ptr<const PolicySnapshot> PolicyEngine::snapshot() const {
  return current_.load(std::memory_order_acquire);
}

std::vector<ConfigError> PolicyEngine::reload(const PolicyConfigPaths& paths) {
  std::lock_guard lock(reload_mutex_);
  CompileOutcome outcome = load_policy_config(paths);
  if (!outcome.snapshot) return std::move(outcome.errors);
  current_.store(std::move(outcome.snapshot), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

void PolicyEngine::replace(std::shared_ptr<const PolicySnapshot> snapshot) {
  if (!snapshot) return;
  std::lock_guard lock(reload_mutex_);
  current_.store(std::move(snapshot), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace pse::policy

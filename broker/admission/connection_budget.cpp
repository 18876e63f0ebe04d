#include "broker/admission/connection_budget.hpp"

namespace pse::broker {

std::string_view to_string(AdmissionRefusal refusal) noexcept {
  switch (refusal) {
    case AdmissionRefusal::handshake_budget:
      return "handshake_budget";
    case AdmissionRefusal::address_budget:
      return "address_budget";
    case AdmissionRefusal::connection_budget:
      return "connection_budget";
    case AdmissionRefusal::org_budget:
      return "org_budget";
    case AdmissionRefusal::accept_error:
      return "accept_error";
  }
  return "accept_error";
}

ConnectionBudget::Slot& ConnectionBudget::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = other.budget_;
    authenticated_ = other.authenticated_;
    key_ = std::move(other.key_);
    other.budget_ = nullptr;
  }
  return *this;
}

void ConnectionBudget::Slot::release() noexcept {
  if (budget_ == nullptr) return;
  budget_->give_back(authenticated_, key_);
  budget_ = nullptr;
}

ConnectionBudget::Admission ConnectionBudget::enter_handshake(std::string_view address) {
  std::lock_guard lock(mutex_);
  if (handshakes_ >= limits_.max_handshakes) return {{}, AdmissionRefusal::handshake_budget};
  auto it = handshakes_by_address_.find(address);
  if (it == handshakes_by_address_.end()) it = handshakes_by_address_.emplace(std::string(address), 0).first;
  if (it->second >= limits_.max_handshakes_per_address) return {{}, AdmissionRefusal::address_budget};
  ++it->second;
  ++handshakes_;
  return {Slot(this, false, it->first), {}};
}

ConnectionBudget::Admission ConnectionBudget::enter_authenticated(std::string_view org) {
  std::lock_guard lock(mutex_);
  if (authenticated_ >= limits_.max_connections) return {{}, AdmissionRefusal::connection_budget};
  auto it = connections_by_org_.find(org);
  if (it == connections_by_org_.end()) it = connections_by_org_.emplace(std::string(org), 0).first;
  if (it->second >= limits_.max_connections_per_org) return {{}, AdmissionRefusal::org_budget};
  ++it->second;
  ++authenticated_;
  return {Slot(this, true, it->first), {}};
}

std::uint32_t ConnectionBudget::handshakes() const {
  std::lock_guard lock(mutex_);
  return handshakes_;
}

std::uint32_t ConnectionBudget::authenticated() const {
  std::lock_guard lock(mutex_);
  return authenticated_;
}

// A key whose count falls to zero is erased, so a scan of many addresses leaves nothing behind.
void ConnectionBudget::give_back(bool authenticated, const std::string& key) noexcept {
  std::lock_guard lock(mutex_);
  auto& counts = authenticated ? connections_by_org_ : handshakes_by_address_;
  auto it = counts.find(key);
  if (it == counts.end()) return;
  if (--it->second == 0) counts.erase(it);
  --(authenticated ? authenticated_ : handshakes_);
}

}  // namespace pse::broker

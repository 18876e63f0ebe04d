// How many connections the mTLS listener holds, and for whom, so that no host and no
// organisation can take the hub's connections from the others.
//
// A connection goes through two budgets. While it is still in its TLS handshake it is nobody's
// yet: it counts against a small global handshake budget and a per-source-address cap, so a
// host that opens thousands of idle TCP connections fills only its own share and the others'
// handshakes go through. Once its certificate names an organisation it moves to the
// authenticated budget: a global cap (max_connections, connector WebSockets included) and a
// per-organisation cap. Each place is a Slot that gives itself back when destroyed.
#pragma once

#include "broker/config.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pse::broker {

/// Why a connection was refused: the label of pse_connections_refused_total.
enum class AdmissionRefusal { handshake_budget, address_budget, connection_budget, org_budget, accept_error };
std::string_view to_string(AdmissionRefusal refusal) noexcept;
inline constexpr int kAdmissionRefusals = 5;

class ConnectionBudget {
 public:
  /// One place in a budget, held by a session for as long as it needs it. Move-only.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept { *this = std::move(other); }
    Slot& operator=(Slot&& other) noexcept;
    ~Slot() { release(); }
    explicit operator bool() const noexcept { return budget_ != nullptr; }
    void release() noexcept;

   private:
    friend class ConnectionBudget;
    Slot(ConnectionBudget* budget, bool authenticated, std::string key)
        : budget_(budget), authenticated_(authenticated), key_(std::move(key)) {}
    ConnectionBudget* budget_ = nullptr;
    bool authenticated_ = false;
    std::string key_;  // the source address, or the organisation
  };

  struct Admission {
    Slot slot;  ///< empty when refused
    AdmissionRefusal refusal = AdmissionRefusal::handshake_budget;
  };

  /// Uses max_handshakes, max_handshakes_per_address, max_connections, max_connections_per_org.
  explicit ConnectionBudget(const Limits& limits) : limits_(limits) {}

  /// A place for a connection from `address` that has not finished its handshake.
  Admission enter_handshake(std::string_view address);
  /// A place for an authenticated connection of `org` (HTTP or connector WebSocket).
  Admission enter_authenticated(std::string_view org);

  std::uint32_t handshakes() const;
  std::uint32_t authenticated() const;

 private:
  void give_back(bool authenticated, const std::string& key) noexcept;

  mutable std::mutex mutex_;
  const Limits limits_;
  std::uint32_t handshakes_ = 0;
  std::uint32_t authenticated_ = 0;
  std::map<std::string, std::uint32_t, std::less<>> handshakes_by_address_;
  std::map<std::string, std::uint32_t, std::less<>> connections_by_org_;
};

}  // namespace pse::broker

// What the hub tells a citizen after an allowed exchange whose rule carries the obligation
// `notify_subject`: which body received which of their information, from whom, when and why.
#pragma once

#include "policy/instant.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pse::broker {

struct DisclosureNotice {
  std::string subject;   ///< the citizen
  std::string consumer;  ///< the body that received the information
  std::string provider;  ///< the body that gave it
  std::string category;
  std::string purpose;
  std::vector<std::string> fields;  ///< the fields communicated (names, never values)
  std::string rule_id;
  std::string basis_type;  ///< "consent" or "law"
  std::string basis_reference;
  policy::Instant at{};
  std::uint64_t audit_seq = 0;  ///< the exchange's durable audit entry
  std::string request_id;
};

/// Called on an I/O thread once the exchange's audit entry is durable; must not block.
using NotifySubject = std::function<void(DisclosureNotice)>;

}  // namespace pse::broker

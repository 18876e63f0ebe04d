// What the hub tells a citizen after an allowed exchange whose rule carries the obligation
// `notify_subject`: which body received which of their information, from whom, when and why.
#pragma once

#include "policy/instant.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
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

/// The notice as JSON text, all but its audit seq (written before the entry has one).
std::string encode_notice(const DisclosureNotice& notice);
/// The inverse, with the entry's seq; std::nullopt for text encode_notice did not write.
std::optional<DisclosureNotice> decode_notice(std::string_view text, std::uint64_t audit_seq);

}  // namespace pse::broker

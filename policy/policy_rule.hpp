// One rule of config/policies.yaml, as written by a body's privacy officer.
//
// A rule lets one consumer receive listed fields of one category from one provider, for listed
// purposes, on one basis: the citizen's `consent` (which the broker must find at run time) or
// the `law` (a legal reference that needs no consent). It may be limited in time and in rate,
// and it may impose obligations on the exchange. Everything a rule does not grant is denied.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/instant.hpp"

namespace pse::policy {

enum class BasisKind {
  none,     ///< only in a denial: no rule applied
  consent,  ///< a valid consent of the subject must be found at run time
  law,      ///< a legal provision authorises the exchange; `legal_reference` names it
};

struct LegalBasis {
  BasisKind kind = BasisKind::none;
  std::string legal_reference;  ///< e.g. "Loi sur l'assurance maladie (RLRQ, c. A-29), art. 65"
};

std::string_view to_string(BasisKind kind) noexcept;

enum class Obligation : std::uint8_t {
  notify_subject,         ///< the subject is told of the exchange (pse-notify)
  end_to_end_encryption,  ///< the payload is encrypted for the consumer, opaque to the broker
  no_onward_disclosure,   ///< the consumer may not pass the data on
};

inline constexpr std::size_t kObligationCount = 3;

/// Where the hub publishes, in the provider's name, the access notice of an exchange under
/// notify_subject (the notification platform, pse-notify, subscribes to it).
inline constexpr const char* kAccessNoticeCategory = "notice.data_access";

std::string_view to_string(Obligation obligation) noexcept;
std::optional<Obligation> obligation_from_string(std::string_view text) noexcept;

/// A small set of obligations, copied into every decision without allocating.
class ObligationSet {
 public:
  void insert(Obligation obligation) noexcept { bits_ |= bit(obligation); }
  bool contains(Obligation obligation) const noexcept { return (bits_ & bit(obligation)) != 0; }
  bool empty() const noexcept { return bits_ == 0; }
  std::vector<Obligation> list() const;
  /// The same, in wire spelling ("no_onward_disclosure"), as answers and audit entries carry them.
  std::vector<std::string> names() const;
  friend bool operator==(ObligationSet, ObligationSet) = default;

 private:
  static constexpr std::uint32_t bit(Obligation obligation) noexcept {
    return std::uint32_t{1} << static_cast<unsigned>(obligation);
  }
  std::uint32_t bits_ = 0;
};

/// At most `requests` exchanges per `period`, per consumer and rule. The policy engine only
/// carries the limit; the broker counts.
struct RateLimit {
  std::uint32_t requests = 0;
  std::chrono::seconds period{0};
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

/// The half-open interval [from, until): a date-only `valid_until` in the file means "through
/// the end of that day", so it is stored as the next midnight.
struct ValidityPeriod {
  Instant from = Instant::min();
  Instant until = Instant::max();

  bool contains(Instant at) const noexcept { return from <= at && at < until; }
  bool overlaps(const ValidityPeriod& other) const noexcept {
    return from < other.until && other.from < until;
  }
};

struct PolicyRule {
  std::string id;
  std::string description;
  std::string consumer;
  std::string provider;
  std::string category;
  std::vector<std::string> purposes;
  LegalBasis basis;
  std::vector<std::string> fields;
  ValidityPeriod validity;
  std::optional<RateLimit> rate_limit;
  ObligationSet obligations;

  // Where the rule was written, for messages that name it.
  std::string file;
  int line = 0;
  std::vector<int> field_lines;  ///< line of each entry of `fields`
};

}  // namespace pse::policy

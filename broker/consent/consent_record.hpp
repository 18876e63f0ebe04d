// The consent registry's records: consents and mandates, as the Access Act asks for them.
//
// A consent is manifest, free and informed, given for one specific purpose, for a set of data
// categories flowing from a provider body (or any provider) to one consumer body, until an
// expiry date. Records are append-only: an amendment is a new record naming the previous one;
// a revocation is a record of its own. Nothing is updated in place.
//
// The subject (the citizen) is never kept in clear: records carry the keyed subject hash
// (BLAKE2b-256 keyed with the platform's subject-hash key, the same hash the audit log uses).
#pragma once

#include "base/sha256.hpp"
#include "policy/instant.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::consent {

using Instant = policy::Instant;
using SubjectHash = pse::Hash;

/// The provider value meaning "whichever body holds the data".
inline constexpr std::string_view kAnyProvider = "*";

enum class GiverKind {
  subject,    ///< the citizen themself
  mandatary,  ///< someone the citizen mandated (mandate_id names the mandate)
  guardian,   ///< a parent or tutor acting for a minor or a person under protection
};
std::string_view to_string(GiverKind kind) noexcept;
std::optional<GiverKind> giver_kind_from_string(std::string_view text) noexcept;

struct GivenBy {
  GiverKind kind = GiverKind::subject;
  std::string mandate_id;    ///< mandatary only
  std::string relationship;  ///< guardian only: "parent" or "tutor"
};

struct Purpose {
  std::string code;  ///< e.g. "pension.eligibility"
  std::string text_fr;
  std::string text_en;
};

/// The notice the citizen was shown when consenting ("informed" consent).
struct Notice {
  std::string reference;  ///< e.g. "AVIS-RQ-2026-03"
  std::string version;
  std::string language;   ///< "fr" or "en"
};

enum class ConsentState { given, revoked, expired, superseded };
std::string_view to_string(ConsentState state) noexcept;

struct Consent {
  std::string id;
  int schema_version = 1;
  SubjectHash subject{};
  GivenBy given_by;
  std::string provider;  ///< an org id, or kAnyProvider
  std::string consumer;
  std::vector<std::string> categories;
  Purpose purpose;
  Notice notice;
  std::string collection_method;  ///< e.g. "web-form", "in-person", "phone", "paper"
  Instant granted_at{};
  Instant expires_at{};
  std::string previous_id;  ///< set when this record amends another
  std::string recorded_by;  ///< the consent authority that recorded it

  // What later records say about this one.
  std::optional<Instant> revoked_at;
  std::string revocation_method;
  /// The mandate under which a mandatary revoked it; empty when the subject (or a guardian) did.
  std::string revoked_through;
  std::string superseded_by;

  ConsentState state_at(Instant now) const;
};

enum class MandateState {
  active,   ///< in force: a mandatary may act within its scope
  pending,  ///< valid_from is still to come
  revoked,
  expired,  ///< valid_until has passed
};
std::string_view to_string(MandateState state) noexcept;

struct Mandate {
  std::string id;
  SubjectHash mandator{};   ///< the citizen who gives the mandate
  SubjectHash mandatary{};  ///< the person who may act for them
  std::vector<std::string> categories;  ///< scope: what the mandatary may consent to
  std::vector<std::string> purposes;
  Instant valid_from{};
  Instant valid_until{};
  std::string recorded_by;
  /// When the registry recorded it; absent for mandates recorded before the time was kept.
  std::optional<Instant> granted_at;
  std::optional<Instant> revoked_at;
  std::string revocation_method;

  bool valid_at(Instant now) const { return state_at(now) == MandateState::active; }
  MandateState state_at(Instant now) const;
  bool covers(std::string_view category, std::string_view purpose) const;
};

/// A new random record id: a prefix ("cns_" or "mdt_") and 32 hex digits.
std::string new_record_id(std::string_view prefix);

// How every store keeps lists and times. Lists are comma-separated text: categories and
// purpose codes never contain commas (the registry validates them against the classification
// and the purpose-code syntax). Times are seconds since the Unix epoch.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(std::string_view text);
inline std::int64_t epoch_seconds(Instant instant) { return instant.time_since_epoch().count(); }
inline Instant instant_from_seconds(std::int64_t seconds) { return Instant(std::chrono::seconds(seconds)); }

}  // namespace pse::consent

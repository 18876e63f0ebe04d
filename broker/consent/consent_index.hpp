// The in-memory index that answers "does a valid consent allow this exchange?" on the hot path.
//
// It holds, for every subject, the current (non-superseded) consents in a compact form:
// organisation ids, categories and purposes are interned to small integers, ids are kept as 16
// raw bytes. The index is sharded by subject hash, each shard behind a reader/writer lock, so
// checks on different subjects never contend and a revocation is visible to the very next
// check. The registry writes to SQLite first, then here; a restart rebuilds it from SQLite.
#pragma once

#include "broker/consent/consent_record.hpp"

#include <pse/reason.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pse::consent {

struct ConsentQuery {
  SubjectHash subject{};
  std::string_view consumer;
  std::string_view provider;
  std::string_view category;
  std::string_view purpose;
  Instant at{};
};

/// Either the consent that allows the exchange, or why none does: consent_missing,
/// consent_revoked, consent_expired, purpose_not_consented or mandate_invalid.
struct ConsentCheck {
  std::optional<Reason> denial;
  std::string consent_id;  ///< when allowed
  bool allowed() const { return !denial.has_value(); }
};

/// Interns strings to dense integers; lookups take a shared lock.
class StringTable {
 public:
  static constexpr std::uint32_t kMissing = UINT32_MAX;
  std::uint32_t intern(std::string_view text);
  std::uint32_t find(std::string_view text) const;  ///< kMissing when never interned

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
};

class ConsentIndex {
 public:
  /// A consent may name at most this many categories (a consent is for one specific purpose;
  /// the bound keeps every index entry the same small size).
  static constexpr std::size_t kMaxCategories = 8;

  ConsentIndex();

  /// Adds a consent or replaces the entry with the same id (e.g. after a revocation).
  void put(const Consent& consent);
  /// Drops a consent (it was superseded by an amendment).
  void remove(const SubjectHash& subject, std::string_view consent_id);
  void put_mandate(const Mandate& mandate);

  ConsentCheck check(const ConsentQuery& query) const;

  std::size_t size() const;

 private:
  using RawId = std::array<std::uint8_t, 16>;
  static constexpr std::uint32_t kNoMandate = UINT32_MAX;

  struct Entry {
    RawId id{};
    std::uint32_t consumer = 0;
    std::uint32_t provider = 0;  ///< any_provider_ for "*"
    std::uint32_t purpose = 0;
    std::uint32_t mandate = kNoMandate;  ///< slot in mandates_
    std::int64_t granted_at = 0;
    std::int64_t expires_at = 0;
    std::int64_t revoked_at = INT64_MAX;
    std::array<std::uint16_t, kMaxCategories> categories{};
    std::uint8_t category_count = 0;
  };

  struct MandateEntry {
    std::int64_t valid_from = 0;
    std::int64_t valid_until = 0;
    std::int64_t revoked_at = INT64_MAX;
    std::vector<std::uint16_t> categories;
    std::vector<std::uint32_t> purposes;
  };

  struct SubjectHashHasher {
    std::size_t operator()(const SubjectHash& hash) const noexcept;
  };

  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<SubjectHash, std::vector<Entry>, SubjectHashHasher> subjects;
  };

  static constexpr std::size_t kShards = 64;
  Shard& shard_for(const SubjectHash& subject) const;
  bool mandate_allows(std::uint32_t slot, std::uint16_t category, std::uint32_t purpose, std::int64_t at) const;
  std::uint32_t mandate_slot(const std::string& mandate_id);

  StringTable names_;       // organisations and purposes
  StringTable categories_;  // data categories (16-bit ids)
  std::uint32_t any_provider_;
  mutable std::array<Shard, kShards> shards_;

  mutable std::shared_mutex mandates_mutex_;
  std::deque<MandateEntry> mandates_;
  std::unordered_map<std::string, std::uint32_t> mandate_slots_;
};

}  // namespace pse::consent

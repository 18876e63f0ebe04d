#include "broker/consent/consent_index.hpp"

#include "base/hex.hpp"
#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace pse::consent {
namespace {

std::int64_t seconds(Instant instant) { return instant.time_since_epoch().count(); }

// Ids are "<prefix>_<32 hex digits>"; the index keeps the 16 bytes the hex encodes.
std::array<std::uint8_t, 16> raw_id(std::string_view id) {
  const auto bytes = bytes_from_hex(id.substr(id.find('_') + 1), 16);
  if (!bytes) throw std::invalid_argument("malformed consent id: " + std::string(id));
  std::array<std::uint8_t, 16> raw{};
  std::memcpy(raw.data(), bytes->data(), raw.size());
  return raw;
}

std::string id_text(const std::array<std::uint8_t, 16>& raw) { return "cns_" + to_hex(raw); }

// Which denial to report when several consents fail for different reasons: the one that
// tells the caller most about what to do.
int specificity(Reason reason) {
  switch (reason) {
    case Reason::mandate_invalid: return 4;
    case Reason::consent_revoked: return 3;
    case Reason::consent_expired: return 2;
    case Reason::purpose_not_consented: return 1;
    default: return 0;
  }
}

}  // namespace

std::uint32_t StringTable::intern(std::string_view text) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  }
  std::unique_lock lock(mutex_);
  auto [it, inserted] = ids_.try_emplace(std::string(text), static_cast<std::uint32_t>(ids_.size()));
  return it->second;
}

std::uint32_t StringTable::find(std::string_view text) const {
  std::shared_lock lock(mutex_);
  auto it = ids_.find(text);
  return it == ids_.end() ? kMissing : it->second;
}

std::size_t ConsentIndex::SubjectHashHasher::operator()(const SubjectHash& hash) const noexcept {
  std::size_t value;  // the hash is already uniformly random: its first bytes are a good key
  std::memcpy(&value, hash.data() + 8, sizeof value);
  return value;
}

ConsentIndex::ConsentIndex() : any_provider_(names_.intern(kAnyProvider)) {}

ConsentIndex::Shard& ConsentIndex::shard_for(const SubjectHash& subject) const {
  return shards_[subject[0] % kShards];
}

std::uint32_t ConsentIndex::mandate_slot(const std::string& mandate_id) {
  std::shared_lock lock(mandates_mutex_);
  auto it = mandate_slots_.find(mandate_id);
  return it == mandate_slots_.end() ? kNoMandate : it->second;
}

void ConsentIndex::put(const Consent& consent) {
  if (consent.categories.size() > kMaxCategories) {
    throw std::invalid_argument("consent " + consent.id + " names more than 8 categories");
  }
  Entry entry;
  entry.id = raw_id(consent.id);
  entry.consumer = names_.intern(consent.consumer);
  entry.provider = names_.intern(consent.provider);
  entry.purpose = names_.intern(consent.purpose.code);
  entry.granted_at = seconds(consent.granted_at);
  entry.expires_at = seconds(consent.expires_at);
  if (consent.revoked_at) entry.revoked_at = seconds(*consent.revoked_at);
  for (const auto& category : consent.categories) {
    entry.categories[entry.category_count++] = static_cast<std::uint16_t>(categories_.intern(category));
  }
  if (consent.given_by.kind == GiverKind::mandatary) {
    // A consent given through an unknown mandate can never be valid: an impossible slot
    // makes every check on it answer mandate_invalid.
    entry.mandate = mandate_slot(consent.given_by.mandate_id);
    if (entry.mandate == kNoMandate) entry.mandate = kNoMandate - 1;
  }

  Shard& shard = shard_for(consent.subject);
  std::unique_lock lock(shard.mutex);
  auto& entries = shard.subjects[consent.subject];
  auto existing = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.id == entry.id; });
  if (existing != entries.end()) {
    *existing = entry;
  } else {
    entries.push_back(entry);
  }
}

void ConsentIndex::remove(const SubjectHash& subject, std::string_view consent_id) {
  const RawId id = raw_id(consent_id);
  Shard& shard = shard_for(subject);
  std::unique_lock lock(shard.mutex);
  auto it = shard.subjects.find(subject);
  if (it == shard.subjects.end()) return;
  std::erase_if(it->second, [&](const Entry& e) { return e.id == id; });
  if (it->second.empty()) shard.subjects.erase(it);
}

void ConsentIndex::put_mandate(const Mandate& mandate) {
  MandateEntry entry;
  entry.valid_from = seconds(mandate.valid_from);
  entry.valid_until = seconds(mandate.valid_until);
  if (mandate.revoked_at) entry.revoked_at = seconds(*mandate.revoked_at);
  for (const auto& category : mandate.categories) {
    entry.categories.push_back(static_cast<std::uint16_t>(categories_.intern(category)));
  }
  for (const auto& purpose : mandate.purposes) entry.purposes.push_back(names_.intern(purpose));

  std::unique_lock lock(mandates_mutex_);
  auto [it, inserted] = mandate_slots_.try_emplace(mandate.id, static_cast<std::uint32_t>(mandates_.size()));
  if (inserted) {
    mandates_.push_back(std::move(entry));
  } else {
    mandates_[it->second] = std::move(entry);
  }
}

bool ConsentIndex::mandate_allows(std::uint32_t slot, std::uint16_t category, std::uint32_t purpose,
                                  std::int64_t at) const {
  std::shared_lock lock(mandates_mutex_);
  if (slot >= mandates_.size()) return false;
  const MandateEntry& mandate = mandates_[slot];
  if (at < mandate.valid_from || at >= mandate.valid_until || at >= mandate.revoked_at) return false;
  return std::find(mandate.categories.begin(), mandate.categories.end(), category) != mandate.categories.end() &&
         std::find(mandate.purposes.begin(), mandate.purposes.end(), purpose) != mandate.purposes.end();
}

ConsentCheck ConsentIndex::check(const ConsentQuery& query) const {
  ConsentCheck result{Reason::consent_missing, {}};
  const std::uint32_t consumer = names_.find(query.consumer);
  const std::uint32_t provider = names_.find(query.provider);
  const std::uint32_t category = categories_.find(query.category);
  const std::uint32_t purpose = names_.find(query.purpose);
  if (consumer == StringTable::kMissing || category == StringTable::kMissing) return result;
  const auto category16 = static_cast<std::uint16_t>(category);
  const std::int64_t at = seconds(query.at);

  const Shard& shard = shard_for(query.subject);
  std::shared_lock lock(shard.mutex);
  auto it = shard.subjects.find(query.subject);
  if (it == shard.subjects.end()) return result;

  auto deny = [&result](Reason reason) {
    if (specificity(reason) > specificity(*result.denial)) result.denial = reason;
  };
  for (const Entry& entry : it->second) {
    if (entry.consumer != consumer) continue;
    if (entry.provider != any_provider_ && entry.provider != provider) continue;
    const auto categories_end = entry.categories.begin() + entry.category_count;
    if (std::find(entry.categories.begin(), categories_end, category16) == categories_end) continue;
    if (entry.purpose != purpose) {
      deny(Reason::purpose_not_consented);
      continue;
    }
    if (at < entry.granted_at) continue;  // not in force yet: as if absent
    if (at >= entry.revoked_at) {
      deny(Reason::consent_revoked);
      continue;
    }
    if (at >= entry.expires_at) {
      deny(Reason::consent_expired);
      continue;
    }
    if (entry.mandate != kNoMandate && !mandate_allows(entry.mandate, category16, purpose, at)) {
      deny(Reason::mandate_invalid);
      continue;
    }
    return ConsentCheck{std::nullopt, id_text(entry.id)};
  }
  return result;
}

std::size_t ConsentIndex::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [subject, entries] : shard.subjects) total += entries.size();
  }
  return total;
}

}  // namespace pse::consent

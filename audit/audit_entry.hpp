// What one audit entry records, and its canonical encoding — the bytes that are hashed into
// the Merkle tree.
//
// An entry answers "who received what about whom, when, for what purpose, on which consent or
// law". It never holds the payload (only its SHA-256) nor the subject id in clear (only a
// keyed hash, see audit_keys.hpp), so a copied log leaks no identifier.
//
// The canonical encoding is binary, big-endian, every variable field length-prefixed, fields
// in a fixed order, and starts with a version byte (docs/decisions/audit.md gives the layout).
// The sequence number is part of the encoding, so an entry cannot be moved to another position
// without changing its leaf hash. The rule's obligations come last and only when there are
// some, so that every entry written before they were recorded keeps its bytes and leaf hash.
#pragma once

#include "base/sha256.hpp"
#include "audit/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::audit {

enum class Decision : std::uint8_t { allow = 1, deny = 2 };

/// What made the exchange lawful: the citizen's consent, or a provision of law.
enum class BasisType : std::uint8_t { none = 0, consent = 1, law = 2 };

std::string_view to_string(Decision decision) noexcept;
std::optional<Decision> decision_from_string(std::string_view text) noexcept;
std::string_view to_string(BasisType basis) noexcept;
std::optional<BasisType> basis_type_from_string(std::string_view text) noexcept;

/// Microseconds since 1970-01-01T00:00:00Z.
using TimeMicros = std::int64_t;
TimeMicros now_micros();

/// The fields the broker supplies for one decision. The subject is given in clear here and
/// hashed by AuditLog::append before the entry leaves the caller's thread.
/// The answer an exchange gave, kept with its entry where brokers share a store (PostgreSQL):
/// the audit commit that makes the entry durable writes it too, so that a retry of the same
/// request id on any broker gets this answer instead of a second exchange. Neither hashed nor
/// part of the entry; the SQLite store, one broker's, does not keep it.
struct KeptAnswer {
  int status = 0;
  std::string content_type;
  std::string body;  ///< without audit_seq, which the entry's position gives
  TimeMicros expires = 0;

  bool operator==(const KeptAnswer&) const = default;
};

struct AuditRecord {
  TimeMicros time = 0;  ///< 0: the time of the append
  std::string request_id;
  std::string consumer;  ///< organisation id of the requester
  std::string provider;  ///< organisation id of the holder of the record
  std::string category;
  std::string purpose;
  Decision decision = Decision::deny;
  std::string reason;   ///< a pse::Reason wire code for a denial; empty when allowed
  std::string rule_id;  ///< the policy rule that decided; may be empty (no_rule)
  BasisType basis_type = BasisType::none;
  std::string basis;  ///< the consent id or the legal reference
  std::vector<std::string> permitted_fields;
  std::optional<Hash> payload_hash;  ///< SHA-256 of the payload returned, if any
  /// What the rule obliged at the time, in wire spelling ("no_onward_disclosure"): the rule may
  /// change later, and the register must say what applied. Empty for a denial.
  std::vector<std::string> obligations;
  std::string subject_id;            ///< in clear; never stored
  /// Instead of subject_id when only the keyed hash is known (a consent read by its id): the
  /// hash made with the log's own subject key.
  std::optional<Hash> subject_hash;
  /// The organisation whose request caused the entry (a fan-out's publisher); its share of the
  /// pending queue is charged (AuditLogOptions::max_pending_per_org). Empty: the consumer. Not stored.
  std::string requested_by;
  std::optional<KeptAnswer> answer;
  /// A message the hub must send because of this entry (an access notice to the citizen),
  /// written by the commit that makes the entry durable and kept until AuditLog::outbox_done,
  /// so that a stop or a crash right after the commit does not lose it. Stored as given (the
  /// caller seals what may not be stored in clear); neither hashed nor part of the entry.
  std::optional<std::string> outbox;
};

/// One entry as stored and hashed.
struct AuditEntry {
  std::uint64_t seq = 0;  ///< position in the log, from 0; also the Merkle leaf index
  TimeMicros time = 0;
  std::string request_id;
  std::string consumer;
  std::string provider;
  std::string category;
  std::string purpose;
  Decision decision = Decision::deny;
  std::string reason;
  std::string rule_id;
  BasisType basis_type = BasisType::none;
  std::string basis;
  std::vector<std::string> permitted_fields;
  std::optional<Hash> payload_hash;
  Hash subject_hash{};
  std::vector<std::string> obligations;
  std::optional<KeptAnswer> answer;  ///< not part of the entry: see KeptAnswer
  std::optional<std::string> outbox;  ///< not part of the entry: see AuditRecord::outbox

  bool operator==(const AuditEntry&) const = default;
};

/// Checks what the encoding and the store cannot represent: field and obligation names must be
/// non-empty and free of commas (the store keeps each list comma-separated).
Status validate(const AuditRecord& record);

/// The canonical bytes of an entry (the Merkle leaf data).
std::string encode_entry(const AuditEntry& entry);

/// The inverse of encode_entry; std::nullopt for bytes that are not a canonical encoding.
std::optional<AuditEntry> decode_entry(std::string_view bytes);

/// The leaf hash of the entry's canonical encoding.
Hash entry_leaf_hash(const AuditEntry& entry);

/// Joins and splits the permitted field list as the store keeps it ("a,b,c").
std::string join_fields(const std::vector<std::string>& fields);
std::vector<std::string> split_fields(std::string_view text);

/// `2026-11-22T16:05:20.123456Z`.
std::string format_time(TimeMicros time);

/// Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
std::optional<TimeMicros> parse_time(std::string_view text);

}  // namespace pse::audit

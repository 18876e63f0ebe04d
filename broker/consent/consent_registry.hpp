// The consent registry: the citizen's control over who receives their information.
//
// Grants, amendments and revocations of consents, and mandates, recorded by a consent
// authority on the citizen's behalf. Every write is validated, made durable in the store, then
// applied to the in-memory index — so a revocation is effective for the very next exchange —
// and answered with a signed consent receipt. Expiry is decided at check time from the
// record's dates, never by a sweeper that might lag.
#pragma once

#include "audit/audit_keys.hpp"
#include "broker/consent/consent_index.hpp"
#include "broker/consent/consent_store.hpp"

#include <pse/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pse::consent {

struct ConsentSettings {
  /// The longest a consent may run (expires_at - now at grant time).
  std::chrono::seconds max_validity = std::chrono::days(366);
};

/// What the platform's configuration says of a consent: the names it may use, and the
/// obligations its exchanges would be under (for the receipt; none when unset).
struct Vocabulary {
  std::function<bool(std::string_view)> is_organisation;
  std::function<bool(std::string_view)> is_category;
  std::function<std::vector<std::string>(const Consent&, Instant)> obligations_of = {};
};

/// A delegate acting for a citizen within a mandate the citizen gave them.
struct MandataryAct {
  std::string mandate_id;
  std::string mandatary_id;  ///< the delegate, in clear; only compared with the mandate's hash
};

struct GrantRequest {
  std::string subject_id;  ///< in clear, as the consent authority knows the citizen; only its hash is kept
  GivenBy given_by;
  /// given_by kind mandatary: the delegate who consents (in clear, never kept): the mandate
  /// must be theirs.
  std::string mandatary_id;
  std::string provider;  ///< org id or "*"
  std::string consumer;
  std::vector<std::string> categories;
  Purpose purpose;
  Notice notice;
  std::string collection_method;
  Instant expires_at{};
};

struct MandateRequest {
  std::string mandator_id;   ///< the citizen, in clear
  std::string mandatary_id;  ///< the person acting for them, in clear
  std::vector<std::string> categories;
  std::vector<std::string> purposes;
  std::optional<Instant> valid_from;  ///< default: now
  Instant valid_until{};
};

/// How this broker's writes reach the other brokers of the hub, and theirs reach it
/// (consent_follower.hpp, on PostgreSQL). The embedded store has none: one broker.
class ConsentPropagation {
 public:
  virtual ~ConsentPropagation() = default;
  /// Whether this broker's index is known to hold every change committed until a short lease
  /// ago; when it is not, consent checks fail closed (store_unavailable).
  virtual bool current() const = 0;
  /// Returns once every live broker has applied every change committed so far: a revocation
  /// is answered only then, so no broker serves what it revoked.
  virtual Status wait_until_applied_everywhere() = 0;
};

struct ConsentOutcome {
  Consent consent;
  std::string receipt;  ///< signed JWS, see receipt.hpp
};

struct MandateOutcome {
  Mandate mandate;
  std::string receipt;
};

class ConsentRegistry {
 public:
  /// Rebuilds the index from the store. Throws ConfigError when the store cannot be read.
  ConsentRegistry(std::unique_ptr<ConsentStore> store, audit::SubjectHashKey subject_key,
                  audit::SigningKey signing_key, Vocabulary vocabulary, ConsentSettings settings = {});

  Result<ConsentOutcome> grant(const GrantRequest& request, std::string_view recorded_by, Instant now);
  /// A new version of consent `id`, which must be current (not revoked, not already amended).
  Result<ConsentOutcome> amend(std::string_view id, const GrantRequest& request, std::string_view recorded_by,
                               Instant now);
  /// `subject_id` must be the consent's subject: it guards against revoking by a mistyped id.
  /// `through`: a mandatary revokes for the subject, within a mandate that is in force, that the
  /// subject gave them, and that covers the consent's categories and purpose (else
  /// mandate_invalid); the revocation records the mandate.
  Result<ConsentOutcome> revoke(std::string_view id, std::string_view subject_id, std::string_view method,
                                std::string_view recorded_by, Instant now,
                                const std::optional<MandataryAct>& through = std::nullopt);

  Result<MandateOutcome> grant_mandate(const MandateRequest& request, std::string_view recorded_by, Instant now);
  Result<MandateOutcome> revoke_mandate(std::string_view id, std::string_view mandator_id, std::string_view method,
                                        std::string_view recorded_by, Instant now);

  /// Every record of the subject, oldest first, including revoked and superseded ones.
  Result<std::vector<Consent>> consents_of(std::string_view subject_id);
  Result<Consent> consent(std::string_view id);
  /// The mandates the subject gave or received, with what later records say of them.
  Result<std::vector<Mandate>> mandates_of(std::string_view subject_id);

  /// The hot-path check, from memory only.
  ConsentCheck check(std::string_view subject_id, std::string_view consumer, std::string_view provider,
                     std::string_view category, std::string_view purpose, Instant at) const;
  ConsentCheck check(const ConsentQuery& query) const;

  /// Re-reads a record another broker wrote or changed and applies it to the index.
  Status refresh_consent(std::string_view id);
  Status refresh_mandate(std::string_view id);
  /// Set once, before serving; not owned.
  void set_propagation(ConsentPropagation* propagation) { propagation_ = propagation; }

  SubjectHash hash_subject(std::string_view subject_id) const { return subject_key_.hash(subject_id); }
  const audit::PublicKey& receipt_public_key() const { return signing_key_.public_key(); }
  std::size_t indexed_consents() const { return index_.size(); }

 private:
  std::optional<Error> validate(const GrantRequest& request, Instant now);
  /// Why `act` does not let its mandatary act for `subject` on these categories and purpose
  /// now (mandate_invalid, saying which condition fails); nothing when it does.
  std::optional<Error> check_mandate(const MandataryAct& act, const SubjectHash& subject,
                                     const std::vector<std::string>& categories, std::string_view purpose,
                                     Instant now);
  Result<ConsentOutcome> record(const GrantRequest& request, std::string previous_id, std::string_view recorded_by,
                                Instant now);
  // Writes are answered once every broker applies them: the write under the lock, then the
  // wait without it. A revocation or amendment must be (another broker would still allow what
  // was taken away); a grant is answered after the wait even when it times out.
  Result<ConsentOutcome> grant_locally(const GrantRequest& request, std::string_view recorded_by, Instant now);
  Result<MandateOutcome> grant_mandate_locally(const MandateRequest& request, std::string_view recorded_by,
                                               Instant now);
  Result<ConsentOutcome> amend_locally(std::string_view id, const GrantRequest& request, std::string_view recorded_by,
                                       Instant now);
  Result<ConsentOutcome> revoke_locally(std::string_view id, std::string_view subject_id, std::string_view method,
                                        std::string_view recorded_by, Instant now,
                                        const std::optional<MandataryAct>& through);
  Result<MandateOutcome> revoke_mandate_locally(std::string_view id, std::string_view mandator_id,
                                                std::string_view method, std::string_view recorded_by, Instant now);
  template <typename Outcome>
  Result<Outcome> propagated(Result<Outcome> outcome);
  template <typename Outcome>
  Result<Outcome> propagated_if_possible(Result<Outcome> outcome);

  std::unique_ptr<ConsentStore> store_;
  audit::SubjectHashKey subject_key_;
  audit::SigningKey signing_key_;
  Vocabulary vocabulary_;
  ConsentSettings settings_;
  ConsentIndex index_;
  ConsentPropagation* propagation_ = nullptr;
  std::mutex write_mutex_;  // writes are rare; one at a time keeps store and index in the same order
};

}  // namespace pse::consent

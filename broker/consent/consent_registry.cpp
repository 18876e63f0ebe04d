#include "broker/consent/consent_registry.hpp"

#include "base/config_error.hpp"
#include "base/log.hpp"
#include "broker/consent/receipt.hpp"

#include <algorithm>
#include <set>

namespace pse::consent {
namespace {

Error malformed(std::string message) { return make_error(Reason::malformed_request, std::move(message)); }

bool is_token(std::string_view text, std::size_t max_size) {
  if (text.empty() || text.size() > max_size) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// Subject ids are opaque to the platform but must be printable and bounded.
bool is_subject_id(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool is_text(std::string_view text, std::size_t max_size) { return !text.empty() && text.size() <= max_size; }

}  // namespace

ConsentRegistry::ConsentRegistry(std::unique_ptr<ConsentStore> store, audit::SubjectHashKey subject_key,
                                 audit::SigningKey signing_key, Vocabulary vocabulary, ConsentSettings settings)
    : store_(std::move(store)),
      subject_key_(std::move(subject_key)),
      signing_key_(std::move(signing_key)),
      vocabulary_(std::move(vocabulary)),
      settings_(settings) {
  auto loaded = store_->load_current([this](const Mandate& m) { index_.put_mandate(m); },
                                     [this](const Consent& c) { index_.put(c); });
  if (!loaded) throw ConfigError("consent store", 0, loaded.error().message);
}

std::optional<Error> ConsentRegistry::validate(const GrantRequest& r, Instant now) {
  if (!is_subject_id(r.subject_id)) return malformed("subject must be 1-128 printable characters");
  if (!vocabulary_.is_organisation(r.consumer)) return malformed("consumer '" + r.consumer + "' is not a registered organisation");
  if (r.provider != kAnyProvider && !vocabulary_.is_organisation(r.provider)) {
    return malformed("provider '" + r.provider + "' is not a registered organisation (or \"*\" for any provider)");
  }
  if (r.categories.empty() || r.categories.size() > ConsentIndex::kMaxCategories) {
    return malformed("categories must name 1 to 8 data categories");
  }
  std::set<std::string_view> seen;
  for (const auto& category : r.categories) {
    if (!vocabulary_.is_category(category)) return malformed("category '" + category + "' is not in the classification");
    if (!seen.insert(category).second) return malformed("category '" + category + "' is listed twice");
  }
  if (!is_token(r.purpose.code, 64)) return malformed("purpose.code must be 1-64 of a-z, 0-9, '.', '_', '-'");
  if (!is_text(r.purpose.text_fr, 500) || !is_text(r.purpose.text_en, 500)) {
    return malformed("purpose.fr and purpose.en are required (at most 500 bytes): consent must be informed");
  }
  if (!is_text(r.notice.reference, 200) || !is_text(r.notice.version, 50)) {
    return malformed("notice.reference and notice.version are required");
  }
  if (r.notice.language != "fr" && r.notice.language != "en") return malformed("notice.language must be \"fr\" or \"en\"");
  if (!is_token(r.collection_method, 40)) return malformed("collection_method must be a short token, e.g. web-form");
  if (r.expires_at <= now) return malformed("expires_at must be in the future");
  if (r.expires_at - now > settings_.max_validity) {
    return malformed("expires_at is beyond the maximum validity of " +
                     std::to_string(std::chrono::duration_cast<std::chrono::days>(settings_.max_validity).count()) +
                     " days");
  }
  switch (r.given_by.kind) {
    case GiverKind::subject:
      if (!r.given_by.mandate_id.empty() || !r.given_by.relationship.empty() || !r.mandatary_id.empty()) {
        return malformed("given_by: a subject's own consent names no mandate, mandatary or relationship");
      }
      break;
    case GiverKind::guardian:
      if (!r.given_by.mandate_id.empty() || !r.mandatary_id.empty()) {
        return malformed("given_by: a guardian's consent names no mandate or mandatary");
      }
      if (r.given_by.relationship != "parent" && r.given_by.relationship != "tutor") {
        return malformed("given_by.relationship must be \"parent\" or \"tutor\"");
      }
      break;
    case GiverKind::mandatary:
      if (!r.given_by.relationship.empty()) return malformed("given_by: a mandatary's consent names no relationship");
      if (r.given_by.mandate_id.empty()) return malformed("given_by.mandate_id is required for a mandatary");
      if (!is_subject_id(r.mandatary_id)) {
        return malformed("given_by.mandatary (the delegate who consents) must be 1-128 printable characters");
      }
      return check_mandate({r.given_by.mandate_id, r.mandatary_id}, hash_subject(r.subject_id), r.categories,
                           r.purpose.code, now);
  }
  return std::nullopt;
}

std::optional<Error> ConsentRegistry::check_mandate(const MandataryAct& act, const SubjectHash& subject,
                                                    const std::vector<std::string>& categories,
                                                    std::string_view purpose, Instant now) {
  auto found = store_->mandate(act.mandate_id);
  if (!found) return found.error();
  const std::string name = "mandate '" + act.mandate_id + "'";
  const auto refused = [](std::string message) { return make_error(Reason::mandate_invalid, std::move(message)); };
  // An unknown id and another citizen's mandate read alike: an id says nothing of whose it is.
  if (!found->has_value() || (*found)->mandator != subject) {
    return refused(name + " is unknown or was not given by this subject");
  }
  const Mandate& mandate = **found;
  if (mandate.mandatary != hash_subject(act.mandatary_id)) return refused(name + " was not given to this mandatary");
  switch (mandate.state_at(now)) {
    case MandateState::active: break;
    case MandateState::pending:
      return refused(name + " is not in force before " + policy::format_instant(mandate.valid_from));
    case MandateState::revoked: return refused(name + " was revoked on " + policy::format_instant(*mandate.revoked_at));
    case MandateState::expired: return refused(name + " expired on " + policy::format_instant(mandate.valid_until));
  }
  const auto in = [](const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  for (const std::string& category : categories) {
    if (!in(mandate.categories, category)) return refused(name + " does not cover the category '" + category + "'");
  }
  if (!in(mandate.purposes, purpose)) return refused(name + " does not cover the purpose '" + std::string(purpose) + "'");
  return std::nullopt;
}

Result<ConsentOutcome> ConsentRegistry::record(const GrantRequest& r, std::string previous_id,
                                               std::string_view recorded_by, Instant now) {
  Consent consent;
  consent.id = new_record_id("cns_");
  consent.subject = hash_subject(r.subject_id);
  consent.given_by = r.given_by;
  consent.provider = r.provider;
  consent.consumer = r.consumer;
  consent.categories = r.categories;
  consent.purpose = r.purpose;
  consent.notice = r.notice;
  consent.collection_method = r.collection_method;
  consent.granted_at = now;
  consent.expires_at = r.expires_at;
  consent.previous_id = std::move(previous_id);
  consent.recorded_by = std::string(recorded_by);
  if (auto stored = store_->insert_consent(consent); !stored) return stored.error();
  if (!consent.previous_id.empty()) index_.remove(consent.subject, consent.previous_id);
  index_.put(consent);
  const auto event = consent.previous_id.empty() ? ReceiptEvent::granted : ReceiptEvent::amended;
  const auto obligations = vocabulary_.obligations_of ? vocabulary_.obligations_of(consent, now) : std::vector<std::string>{};
  std::string receipt = consent_receipt(consent, r.subject_id, event, now, signing_key_, obligations);
  return ConsentOutcome{std::move(consent), std::move(receipt)};
}

Result<ConsentOutcome> ConsentRegistry::grant(const GrantRequest& request, std::string_view recorded_by, Instant now) {
  return propagated_if_possible(grant_locally(request, recorded_by, now));
}

Result<ConsentOutcome> ConsentRegistry::grant_locally(const GrantRequest& request, std::string_view recorded_by,
                                                      Instant now) {
  std::lock_guard lock(write_mutex_);
  if (auto error = validate(request, now)) return *error;
  return record(request, {}, recorded_by, now);
}

Result<ConsentOutcome> ConsentRegistry::amend(std::string_view id, const GrantRequest& request,
                                              std::string_view recorded_by, Instant now) {
  return propagated(amend_locally(id, request, recorded_by, now));
}

Result<ConsentOutcome> ConsentRegistry::amend_locally(std::string_view id, const GrantRequest& request,
                                                      std::string_view recorded_by, Instant now) {
  std::lock_guard lock(write_mutex_);
  auto previous = store_->consent(id);
  if (!previous) return previous.error();
  if (!previous->has_value() || (*previous)->subject != hash_subject(request.subject_id)) {
    return make_error(Reason::not_found, "no consent '" + std::string(id) + "' for this subject");
  }
  const ConsentState state = (*previous)->state_at(now);
  if (state == ConsentState::revoked || state == ConsentState::superseded) {
    return make_error(Reason::record_not_current, "consent '" + std::string(id) + "' is " +
                                                      std::string(to_string(state)) + "; it can no longer be amended");
  }
  if (auto error = validate(request, now)) return *error;
  return record(request, std::string(id), recorded_by, now);
}

// Outside the write lock: this broker's own follower takes it to apply the change.
template <typename Outcome>
Result<Outcome> ConsentRegistry::propagated(Result<Outcome> outcome) {
  if (outcome && propagation_ != nullptr) {
    if (auto applied = propagation_->wait_until_applied_everywhere(); !applied) return applied.error();
  }
  return outcome;
}

// A grant that some broker has not applied yet only makes that broker refuse, the safe side;
// answering it 503 would invite a retry that records the consent twice.
template <typename Outcome>
Result<Outcome> ConsentRegistry::propagated_if_possible(Result<Outcome> outcome) {
  if (outcome && propagation_ != nullptr) {
    if (auto applied = propagation_->wait_until_applied_everywhere(); !applied) {
      log::warn("a grant is recorded but not yet applied by every broker", {{"error", applied.error().message}});
    }
  }
  return outcome;
}

Result<ConsentOutcome> ConsentRegistry::revoke(std::string_view id, std::string_view subject_id,
                                               std::string_view method, std::string_view recorded_by, Instant now,
                                               const std::optional<MandataryAct>& through) {
  return propagated(revoke_locally(id, subject_id, method, recorded_by, now, through));
}

Result<ConsentOutcome> ConsentRegistry::revoke_locally(std::string_view id, std::string_view subject_id,
                                                       std::string_view method, std::string_view recorded_by,
                                                       Instant now, const std::optional<MandataryAct>& through) {
  std::lock_guard lock(write_mutex_);
  if (!is_token(method, 40)) return malformed("method must be a short token, e.g. web-form");
  if (through && (through->mandate_id.empty() || !is_subject_id(through->mandatary_id))) {
    return malformed("given_by names the mandate and the mandatary (1-128 printable characters) who revokes");
  }
  auto found = store_->consent(id);
  if (!found) return found.error();
  if (!found->has_value() || (*found)->subject != hash_subject(subject_id)) {
    return make_error(Reason::not_found, "no consent '" + std::string(id) + "' for this subject");
  }
  Consent consent = std::move(**found);
  // The delegate's authority first: one who may not act learns nothing of the record's state.
  if (through) {
    if (auto refused = check_mandate(*through, consent.subject, consent.categories, consent.purpose.code, now)) {
      return *refused;
    }
  }
  if (consent.revoked_at || !consent.superseded_by.empty()) {
    return make_error(Reason::record_not_current,
                      "consent '" + consent.id + "' is already " +
                          (consent.revoked_at ? "revoked" : "superseded by " + consent.superseded_by));
  }
  // An expired consent may still be revoked: the citizen's will is recorded either way.
  const std::string mandate_id = through ? through->mandate_id : std::string();
  if (auto stored = store_->insert_consent_revocation(
          {consent.id, now, std::string(method), std::string(recorded_by), mandate_id});
      !stored) {
    return stored.error();
  }
  consent.revoked_at = now;
  consent.revocation_method = std::string(method);
  consent.revoked_through = mandate_id;
  index_.put(consent);
  std::string receipt = consent_receipt(consent, subject_id, ReceiptEvent::revoked, now, signing_key_);
  return ConsentOutcome{std::move(consent), std::move(receipt)};
}

Result<MandateOutcome> ConsentRegistry::grant_mandate(const MandateRequest& request, std::string_view recorded_by,
                                                      Instant now) {
  return propagated_if_possible(grant_mandate_locally(request, recorded_by, now));
}

Result<MandateOutcome> ConsentRegistry::grant_mandate_locally(const MandateRequest& r, std::string_view recorded_by,
                                                              Instant now) {
  std::lock_guard lock(write_mutex_);
  if (!is_subject_id(r.mandator_id) || !is_subject_id(r.mandatary_id)) {
    return malformed("mandator and mandatary must be 1-128 printable characters");
  }
  if (r.mandator_id == r.mandatary_id) return malformed("a citizen cannot mandate themself");
  if (r.categories.empty() || r.purposes.empty()) return malformed("a mandate names at least one category and one purpose");
  for (const auto& category : r.categories) {
    if (!vocabulary_.is_category(category)) return malformed("category '" + category + "' is not in the classification");
  }
  for (const auto& purpose : r.purposes) {
    if (!is_token(purpose, 64)) return malformed("purpose '" + purpose + "' must be 1-64 of a-z, 0-9, '.', '_', '-'");
  }
  Mandate mandate;
  mandate.id = new_record_id("mdt_");
  mandate.mandator = hash_subject(r.mandator_id);
  mandate.mandatary = hash_subject(r.mandatary_id);
  mandate.categories = r.categories;
  mandate.purposes = r.purposes;
  mandate.valid_from = r.valid_from.value_or(now);
  mandate.valid_until = r.valid_until;
  mandate.recorded_by = std::string(recorded_by);
  mandate.granted_at = now;
  if (mandate.valid_until <= mandate.valid_from || mandate.valid_until <= now) {
    return malformed("valid_until must be in the future and after valid_from");
  }
  if (auto stored = store_->insert_mandate(mandate); !stored) return stored.error();
  index_.put_mandate(mandate);
  std::string receipt = mandate_receipt(mandate, r.mandator_id, ReceiptEvent::mandate_granted, now, signing_key_);
  return MandateOutcome{std::move(mandate), std::move(receipt)};
}

Result<MandateOutcome> ConsentRegistry::revoke_mandate(std::string_view id, std::string_view mandator_id,
                                                       std::string_view method, std::string_view recorded_by,
                                                       Instant now) {
  return propagated(revoke_mandate_locally(id, mandator_id, method, recorded_by, now));
}

Result<MandateOutcome> ConsentRegistry::revoke_mandate_locally(std::string_view id, std::string_view mandator_id,
                                                               std::string_view method, std::string_view recorded_by,
                                                               Instant now) {
  std::lock_guard lock(write_mutex_);
  if (!is_token(method, 40)) return malformed("method must be a short token, e.g. web-form");
  auto found = store_->mandate(id);
  if (!found) return found.error();
  if (!found->has_value() || (*found)->mandator != hash_subject(mandator_id)) {
    return make_error(Reason::not_found, "no mandate '" + std::string(id) + "' given by this subject");
  }
  Mandate mandate = std::move(**found);
  if (mandate.revoked_at) return make_error(Reason::record_not_current, "mandate '" + mandate.id + "' is already revoked");
  if (auto stored = store_->insert_mandate_revocation({mandate.id, now, std::string(method), std::string(recorded_by), {}});
      !stored) {
    return stored.error();
  }
  mandate.revoked_at = now;
  mandate.revocation_method = std::string(method);
  index_.put_mandate(mandate);
  std::string receipt = mandate_receipt(mandate, mandator_id, ReceiptEvent::mandate_revoked, now, signing_key_);
  return MandateOutcome{std::move(mandate), std::move(receipt)};
}

Result<std::vector<Consent>> ConsentRegistry::consents_of(std::string_view subject_id) {
  return store_->consents_of(hash_subject(subject_id));
}

Result<std::vector<Mandate>> ConsentRegistry::mandates_of(std::string_view subject_id) {
  return store_->mandates_of(hash_subject(subject_id));
}

Result<Consent> ConsentRegistry::consent(std::string_view id) {
  auto found = store_->consent(id);
  if (!found) return found.error();
  if (!found->has_value()) return make_error(Reason::not_found, "no consent '" + std::string(id) + "'");
  return std::move(**found);
}

ConsentCheck ConsentRegistry::check(std::string_view subject_id, std::string_view consumer, std::string_view provider,
                                    std::string_view category, std::string_view purpose, Instant at) const {
  return check(ConsentQuery{hash_subject(subject_id), consumer, provider, category, purpose, at});
}

ConsentCheck ConsentRegistry::check(const ConsentQuery& query) const {
  // An index that may have missed a revocation another broker recorded answers nothing.
  if (propagation_ != nullptr && !propagation_->current()) return ConsentCheck{Reason::store_unavailable, {}};
  return index_.check(query);
}

Status ConsentRegistry::refresh_consent(std::string_view id) {
  std::lock_guard lock(write_mutex_);
  auto found = store_->consent(id);
  if (!found) return found.error();
  if (!found->has_value()) return Done{};
  const Consent& consent = **found;
  if (!consent.previous_id.empty()) index_.remove(consent.subject, consent.previous_id);
  if (consent.superseded_by.empty()) {
    index_.put(consent);
  } else {
    index_.remove(consent.subject, consent.id);
  }
  return Done{};
}

Status ConsentRegistry::refresh_mandate(std::string_view id) {
  std::lock_guard lock(write_mutex_);
  auto found = store_->mandate(id);
  if (!found) return found.error();
  if (found->has_value()) index_.put_mandate(**found);
  return Done{};
}

}  // namespace pse::consent

// Where consents and mandates are kept durably: one narrow, append-only interface, so that a
// PostgreSQL backend can follow the embedded SQLite one.
#pragma once

#include "broker/consent/consent_record.hpp"

#include <pse/result.hpp>

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace pse::consent {

struct Revocation {
  std::string record_id;
  Instant revoked_at{};
  std::string method;       ///< how the citizen revoked, e.g. "web-form"
  std::string recorded_by;  ///< the consent authority
  /// A consent's revocation by a mandatary: the mandate they acted under. Empty otherwise (and
  /// always for a mandate's revocation, which only its mandator may make).
  std::string mandate_id;
};

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  /// Each write is durable when it returns. Inserting an amendment of a record that was
  /// already amended fails (the store keeps one successor per record).
  virtual Status insert_consent(const Consent& consent) = 0;
  virtual Status insert_consent_revocation(const Revocation& revocation) = 0;
  virtual Status insert_mandate(const Mandate& mandate) = 0;
  virtual Status insert_mandate_revocation(const Revocation& revocation) = 0;

  /// Records with what later records say about them (revocation, successor).
  virtual Result<std::optional<Consent>> consent(std::string_view id) = 0;
  virtual Result<std::vector<Consent>> consents_of(const SubjectHash& subject) = 0;
  virtual Result<std::optional<Mandate>> mandate(std::string_view id) = 0;
  /// The mandates `subject` gave or received (mandator or mandatary), oldest valid_from first.
  virtual Result<std::vector<Mandate>> mandates_of(const SubjectHash& subject) = 0;

  /// Every mandate, then every current (non-superseded) consent: what the index is rebuilt from.
  virtual Status load_current(const std::function<void(const Mandate&)>& on_mandate,
                              const std::function<void(const Consent&)>& on_consent) = 0;
};

}  // namespace pse::consent

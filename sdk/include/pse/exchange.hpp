// pse/exchange.hpp — what a consumer asks for and what it gets back.
//
// One exchange asks one provider for one record about one citizen (the subject), for a stated
// purpose. The broker checks the policy rule and the citizen's consent (or the legal basis),
// asks the provider, keeps only the fields you may see, writes the audit entry and answers.
// These types mirror the wire contract of `POST /v1/exchange` (docs/api/exchange-protocol.md).
#pragma once

#include <pse/reason.hpp>
#include <pse/record_proof.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pse {

struct ExchangeRequest {
  /// The citizen as you know them (1–128 printable ASCII characters).
  std::string subject;
  /// The organisation that holds the record, e.g. "etat-civil".
  std::string provider;
  /// The data category, e.g. "identity.birth".
  std::string category;
  /// Why you need it, e.g. "pension_eligibility": the policy rule must allow this purpose.
  std::string purpose;
  /// The fields you need. Empty means every field the policy rule permits you.
  std::vector<std::string> fields;
  /// Your identifier for this exchange (1–64 of `A-Z a-z 0-9 . _ -`). A retry with the same id
  /// within 10 minutes gets the same outcome without asking the provider again. When absent the
  /// SDK makes one (see make_request_id()), so that its own retry after a dropped keep-alive
  /// connection is safe; set it yourself to find the exchange in your logs and the audit trail.
  std::optional<std::string> request_id;
};

/// A requested field you did not receive, and why (e.g. field_not_permitted).
struct RefusedField {
  std::string name;
  /// The reason; a code this SDK version does not know reads as field_not_permitted.
  Reason reason = Reason::field_not_permitted;
  /// The reason's wire spelling as the broker sent it.
  std::string code;
};

/// What allowed the exchange: a citizen's consent or a law.
struct ExchangeBasis {
  std::string type;       ///< "consent" or "law"
  std::string reference;  ///< the consent id (cns_…) or the legal reference
};

struct ExchangeResponse {
  /// Yours, or the one the broker made.
  std::string request_id;
  /// Only the permitted fields. Values are JSON strings, numbers, booleans or null.
  boost::json::object record;
  /// When the rule requires end-to-end encryption: the record as the provider sealed it for
  /// you (base64), which the broker could not read. The SDK opens it with
  /// ClientOptions::encryption_key_file into `record`; this keeps what was received.
  std::string sealed_record;
  /// Requested fields left out of `record`, each with its reason.
  std::vector<RefusedField> refused_fields;
  /// The policy rule that allowed the exchange.
  std::string rule_id;
  ExchangeBasis basis;
  /// What the rule obliges as recipient, in wire spelling: "no_onward_disclosure" (you may not
  /// pass the record on to anyone), "notify_subject" (the hub tells the citizen),
  /// "end_to_end_encryption" (the record came sealed for you). The citizen's register lists them.
  std::vector<std::string> obligations;
  /// The position of this exchange in the broker's audit log (cite it when asked).
  std::uint64_t audit_seq = 0;
  /// In a category whose integrity rating requires it: the provider's signature and the
  /// disclosures of the fields you received, as the broker forwarded them (empty jws otherwise).
  integrity::SignedRecord signature;
  /// Set when ClientOptions::signing_keys_dir is set and the signature verified with the
  /// provider's key: every field of `record` is proven to come unaltered from the provider.
  /// (A signature that does not verify makes the exchange fail with integrity_failed.)
  std::optional<integrity::RecordProof> proof;
};

/// A fresh random request id ("sdk-" and 32 hex digits) that satisfies the wire rules.
std::string make_request_id();

}  // namespace pse

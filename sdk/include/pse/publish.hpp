// pse/publish.hpp — publish/subscribe: what a publisher sends, what a subscriber receives.
//
// A publisher (a body with the `publisher` role) publishes an event about a citizen in a
// category it owns or may publish in (classification.yaml `owner` / `publishers`). The broker
// answers once the event is durable; it then decides, for every subscriber of the category,
// with the same policy and consent checks as an exchange, and queues a minimised copy for each
// one that may receive it. A subscriber that may not receive an event never learns it existed.
// Delivery is at least once, in order per subject per subscriber, until acknowledged.
// These types mirror `POST /v1/publish` and the connector's `delivery` / `ack` messages
// (docs/api/exchange-protocol.md).
#pragma once

#include <pse/record_proof.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse {

struct PublishRequest {
  /// The data category of the event, e.g. "identity.death".
  std::string category;
  /// The citizen the event is about (1–128 printable ASCII characters).
  std::string subject;
  /// Names the event for retries (1–128 of `A-Z a-z 0-9 . _ - :`), unique per publisher: a
  /// publish with a key already seen is acknowledged again (duplicate = true) and delivered to
  /// nobody a second time. Derive it from your own record (e.g. "deces-2026-000123").
  std::string idempotency_key;
  /// The event's fields (JSON strings, numbers, booleans or null), named as in the category.
  boost::json::object record;
  /// Optional: only these subscribers may receive the event (still subject to policy and
  /// consent), e.g. the one body a status report is meant for. Empty: every subscriber.
  std::vector<std::string> to;
};

/// The broker's id of an event: "evt_" and 32 hex digits of an unkeyed BLAKE2b hash of the
/// publisher's organisation id and the idempotency key. A publisher knows it before publishing;
/// a publisher's signature over an event names it (pse/record_proof.hpp).
std::string event_id_for(std::string_view publisher, std::string_view idempotency_key);

struct PublishResponse {
  /// The broker's id of the event ("evt_" and hex digits); the same for a duplicate.
  std::string event_id;
  /// True when the idempotency key had already been published.
  bool duplicate = false;
};

/// A category a connector subscribes to, and the purpose its deliveries serve: the policy rule
/// (subscriber as consumer, publisher as provider) must allow that purpose.
struct Subscription {
  std::string category;
  std::string purpose;
};

/// One event delivered to a subscriber, already allowed by policy and consent.
struct Delivery {
  std::string id;            ///< the broker's delivery id: what an ack names
  std::string event_id;      ///< the same for every subscriber of the event (deduplicate on it)
  std::string publisher;     ///< the organisation that published, e.g. "etat-civil"
  std::string category;
  std::string purpose;       ///< the purpose of your subscription
  std::string subject;       ///< the citizen, as the publisher named them
  boost::json::object record;  ///< only the fields your policy rule permits
  /// Under a rule with end_to_end_encryption: the record as the publisher sealed it for your
  /// organisation (base64; its SHA-256 is what the broker's audit entry holds). The SDK opens it
  /// with ClientOptions::encryption_key_file into `record` (and `signature`) before your handler
  /// sees it, and nacks decryption_failed when it cannot.
  std::string sealed_record;
  /// What your rule obliges you to as recipient, e.g. "no_onward_disclosure": you may not pass
  /// the record on. As ExchangeResponse::obligations; empty from a broker that does not send them.
  std::vector<std::string> obligations;
  std::string published_at;  ///< RFC 3339 UTC, e.g. "2026-11-22T19:30:00Z"
  unsigned attempt = 1;      ///< 1 on first delivery; more after a nack, a timeout or a reconnect
  /// In a category whose integrity rating requires it: the publisher's signature and the
  /// disclosures of the fields you received (empty jws otherwise).
  integrity::SignedRecord signature;
  /// Set when ClientOptions::signing_keys_dir is set and the signature verified with the
  /// publisher's key. A delivery whose signature does not verify never reaches your handler:
  /// the SDK nacks it integrity_failed (the broker retries, then dead-letters it).
  std::optional<integrity::RecordProof> proof;
};

}  // namespace pse

// The publish path: POST /v1/publish from request to durable fan-out to answer.
//
//   1. authenticate  the publisher is the organisation of its client certificate (TLS)
//      admit         the publisher organisation's publish rate and publishes in flight
//                    (admission/org_admission.hpp): beyond them 429 rate_limited with
//                    Retry-After, before anything is parsed or audited
//   2. parse         strict JSON body → PublishRequest
//   3. check         publisher role; the category exists and the publisher may publish in it
//                    (owner or listed in `publishers`); every field is one of the category's
//   4. fan out       for every subscriber of the category (only those named in `to`, if any):
//                    the same policy decision and consent check as an exchange, with the
//                    subscriber as consumer and the publisher as provider; the record is
//                    minimised to the fields the rule permits that subscriber
//   5. audit         one entry per subscriber, allowed or denied, all durable; charged to
//                    the publisher's share of the audit queue
//   6. queue         the event's idempotency record and every allowed delivery, encrypted, in
//                    one durable transaction (broker/queue)
//   7. respond       202 {"event_id", "duplicate"} — only now is the event acknowledged
//
// A subscriber that may not receive an event never learns it existed: nothing is queued for it,
// and the publisher learns nothing about who received it. The event id is derived from
// (publisher, idempotency key), so a retry names the same event everywhere, audit included.
#pragma once

#include "broker/http_types.hpp"
#include "broker/metrics.hpp"
#include "policy/instant.hpp"

#include <functional>
#include <string>

namespace pse::policy {
class PolicyEngine;
struct Organisation;
}  // namespace pse::policy
namespace pse::consent {
class ConsentRegistry;
}
namespace pse::audit {
class AuditLog;
}
namespace pse::queue {
class DeliveryQueue;
}

namespace pse::broker {

class OrgAdmission;
class SubscriptionRegistry;

/// "evt_" and 32 hex digits: a keyed-free hash of (publisher, idempotency key).
std::string event_id_for(std::string_view publisher, std::string_view idempotency_key);

class PublishPipeline {
 public:
  using Clock = std::function<policy::Instant()>;

  PublishPipeline(const policy::PolicyEngine& policies, const consent::ConsentRegistry& consents,
                  audit::AuditLog& audit, queue::DeliveryQueue& queue, const SubscriptionRegistry& subscriptions,
                  Metrics& metrics, Clock clock, OrgAdmission& admission);

  void run(const policy::Organisation& caller, const std::string& body, Respond respond);

 private:
  struct Publication;

  const policy::PolicyEngine& policies_;
  const consent::ConsentRegistry& consents_;
  audit::AuditLog& audit_;
  queue::DeliveryQueue& queue_;
  const SubscriptionRegistry& subscriptions_;
  Metrics& metrics_;
  Clock clock_;
  OrgAdmission& admission_;
};

}  // namespace pse::broker

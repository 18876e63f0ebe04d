// The publish path: POST /v1/publish from request to durable fan-out to answer.
//
//   1. authenticate  the publisher is the organisation of its client certificate (TLS)
//      admit         the publisher organisation's publish rate and publishes in flight
//                    (admission/org_admission.hpp): beyond them 429 rate_limited with
//                    Retry-After, before anything is parsed or audited
//   2. parse         strict JSON body → PublishRequest
//   3. check         publisher role; the category exists and the publisher may publish in it
//                    (owner or listed in `publishers`); every field is one of the category's;
//                    in a category whose integrity rating requires it, the publisher's
//                    signature over every field (else 502 integrity_failed)
//   4. fan out       for every subscriber of the category (only those named in `to`, if any):
//                    the same policy decision and consent check as an exchange, with the
//                    subscriber as consumer and the publisher as provider; the record is
//                    minimised to the fields the rule permits that subscriber — or, under
//                    end_to_end_encryption, the copy the publisher sealed for it is taken as
//                    it is (none: refused sealing_unavailable, never sent in clear)
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

#include <pse/publish.hpp>

#include "broker/exchange/registered_keys.hpp"
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

/// "evt_" and 32 hex digits, from (publisher, idempotency key): the SDK's, so that a publisher
/// and its subscribers compute the same id (pse/publish.hpp).
using pse::event_id_for;

class PublishPipeline {
 public:
  using Clock = std::function<policy::Instant()>;

  PublishPipeline(const policy::PolicyEngine& policies, const consent::ConsentRegistry& consents,
                  audit::AuditLog& audit, queue::DeliveryQueue& queue, const SubscriptionRegistry& subscriptions,
                  Metrics& metrics, Clock clock, OrgAdmission& admission, const std::filesystem::path& keys_dir);

  void run(const policy::Organisation& caller, const std::string& body, Respond respond);

  /// GET /v1/publish/sealing/{category}: what the caller must seal, for whom (sealed_recipients.hpp).
  void sealing(const policy::Organisation& caller, std::string_view category, Respond respond);

  /// After a reload: the registered keys are read again when next needed.
  void forget_keys() {
    signing_keys_.forget();
    encryption_keys_.forget();
  }

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
  RegisteredKeys signing_keys_;
  RegisteredKeys encryption_keys_;
};

}  // namespace pse::broker

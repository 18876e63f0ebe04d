#include "broker/pubsub/publish_pipeline.hpp"

#include "base/hex.hpp"
#include "base/log.hpp"
#include "base/sha256.hpp"
#include "audit/audit_log.hpp"
#include "broker/audit_health.hpp"
#include "broker/admission/org_admission.hpp"
#include "broker/consent/consent_registry.hpp"
#include "broker/pubsub/publish_request.hpp"
#include "broker/pubsub/sealed_recipients.hpp"
#include "broker/signed_record_json.hpp"
#include "broker/pubsub/subscription_registry.hpp"
#include "broker/queue/delivery_queue.hpp"
#include "policy/policy_engine.hpp"

#include <pse/record_fields.hpp>

#include <boost/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>

namespace pse::broker {
namespace json = boost::json;

// Everything one publication carries from stage to stage.
struct PublishPipeline::Publication {
  OrgAdmission::Ticket in_flight;  // the publisher's place among its publishes in flight
  std::string publisher;
  PublishRequest request;
  std::string event_id;
  policy::Instant at{};
  std::vector<queue::NewDelivery> deliveries;
  Respond respond;
  // Audit appends complete on the writer thread, in any order.
  std::atomic<std::size_t> audits_waiting{0};
  std::atomic<bool> audit_failed{false};
  std::mutex failure_mutex;
  std::optional<audit::AuditError> first_failure;  // guarded by failure_mutex
};

namespace {

HttpResponse refusal(Reason reason, std::string_view message) {
  return error_response(reason, message);
}

// The ordering key of a subject: a keyed hash, so the queue's index holds no subject in clear.
std::string ordering_key(const consent::ConsentRegistry& consents, std::string_view subject) {
  const auto hash = consents.hash_subject(subject);
  return to_hex(std::span<const std::uint8_t>(hash.data(), 16));
}

// The copy sealed for `subscriber` holding exactly the fields its rule permits.
const SealedCopy* sealed_copy_for(const std::vector<SealedCopy>& copies, std::string_view subscriber,
                                  const std::vector<std::string>& permitted) {
  for (const SealedCopy& copy : copies) {
    if (copy.recipient != subscriber || copy.fields.size() != permitted.size()) continue;
    if (std::is_permutation(copy.fields.begin(), copy.fields.end(), permitted.begin())) return &copy;
  }
  return nullptr;
}

audit::AuditRecord audit_record(const std::string& event_id, const std::string& publisher, const SubscriptionEntry& subscription,
                                const std::string& subject) {
  audit::AuditRecord entry;
  entry.request_id = event_id;
  entry.consumer = subscription.subscriber;
  entry.provider = publisher;
  entry.category = subscription.category;
  entry.purpose = subscription.purpose;
  entry.subject_id = subject;
  entry.requested_by = publisher;  // a fan-out's entries are the publisher's, not each subscriber's
  return entry;
}

// A plain field holds a scalar; a list field, items whose fields are its sub-fields.
std::optional<std::string> field_problem(const policy::Category& category, std::string_view name,
                                         const json::value& value) {
  if (category.find_field(name) != nullptr) {
    if (records::is_scalar(value)) return std::nullopt;
    return "'" + std::string(name) + "' is not a list field of " + category.id;
  }
  if (!value.is_array() || category.sub_fields(name).empty()) {
    return "'" + std::string(name) + "' is not a field of " + category.id;
  }
  for (const json::value& item : value.get_array()) {
    for (const auto& entry : item.get_object()) {  // objects: checked with the request
      const std::string sub = std::string(name) + "." + std::string(entry.key());
      if (category.find_field(sub) == nullptr) return "'" + sub + "' is not a field of " + category.id;
    }
  }
  return std::nullopt;
}

}  // namespace

PublishPipeline::PublishPipeline(const policy::PolicyEngine& policies, const consent::ConsentRegistry& consents,
                                 audit::AuditLog& audit, queue::DeliveryQueue& queue,
                                 const SubscriptionRegistry& subscriptions, Metrics& metrics, Clock clock,
                                 OrgAdmission& admission, const std::filesystem::path& keys_dir)
    : policies_(policies),
      consents_(consents),
      audit_(audit),
      queue_(queue),
      subscriptions_(subscriptions),
      metrics_(metrics),
      clock_(std::move(clock)),
      admission_(admission),
      signing_keys_(keys_dir / "signing", "signing key"),
      encryption_keys_(keys_dir / "encryption", "encryption key") {}

void PublishPipeline::sealing(const policy::Organisation& caller, std::string_view category, Respond respond) {
  if (!caller.has_role(policy::Role::publisher)) {
    return respond(refusal(Reason::no_rule, "'" + caller.id + "' does not have the publisher role"));
  }
  respond(sealing_response(*policies_.snapshot(), encryption_keys_, caller.id, category, clock_()));
}

void PublishPipeline::run(const policy::Organisation& caller, const std::string& body, Respond respond) {
  auto finish = [this, &respond](HttpResponse response) {
    metrics_.publish_completed(response.status);
    respond(std::move(response));
  };

  // Admission: the publisher's rate and publishes in flight, before anything is audited.
  OrgAdmission::Ticket in_flight;
  if (const auto refused = admission_.admit_publish(caller.id, in_flight)) return finish(rate_limited_response(*refused));

  // Stages 2 and 3: parse and check what the publisher may publish.
  auto parsed = parse_publish_request(body);
  if (!parsed) return finish(refusal(parsed.error().reason, parsed.error().message));
  if (!caller.has_role(policy::Role::publisher)) {
    return finish(refusal(Reason::no_rule, "'" + caller.id + "' does not have the publisher role"));
  }
  const auto snapshot = policies_.snapshot();
  const policy::Category* category = snapshot->classification().find(parsed->category);
  if (category == nullptr) return finish(refusal(Reason::unknown_category, "unknown category '" + parsed->category + "'"));
  if (!category->may_publish(caller.id)) {
    return finish(refusal(Reason::not_category_owner,
                          "'" + caller.id + "' may not publish in '" + category->id + "' (owner: " + category->owner + ")"));
  }
  for (const auto& [name, value] : parsed->record) {
    if (auto problem = field_problem(*category, name, value)) return finish(refusal(Reason::unknown_field, *problem));
  }
  for (const SealedCopy& copy : parsed->sealed) {
    for (const auto& name : copy.fields) {
      if (category->find_field(name) == nullptr) {
        return finish(refusal(Reason::unknown_field, "'" + name + "' is not a field of " + category->id));
      }
    }
  }
  // In a category that requires signed records the publisher signs every field once; each
  // subscriber receives the signature with the proofs of its own fields only. The signature
  // names no audience (every subscriber gets the same) and binds the event id.
  std::optional<integrity::RecordProof> proof;
  if (category->signed_records || parsed->signature) {
    auto checked = verify_signed_record(signing_keys_, caller.id, parsed->record, parsed->signature,
                                        {"", parsed->subject, parsed->category,
                                         event_id_for(caller.id, parsed->idempotency_key), 0});
    if (!checked) {
      log::info("publish refused", {{"publisher", caller.id}, {"category", category->id}, {"reason", "integrity_failed"}});
      return finish(refusal(Reason::integrity_failed, checked.error().message));
    }
    proof = std::move(*checked);
  }

  auto publication = std::make_shared<Publication>();
  publication->in_flight = std::move(in_flight);
  publication->publisher = caller.id;
  publication->request = std::move(parsed.value());
  publication->event_id = event_id_for(caller.id, publication->request.idempotency_key);
  publication->at = clock_();
  publication->respond = std::move(respond);
  const PublishRequest& request = publication->request;
  const std::string published_at = policy::format_instant(publication->at);
  const std::string order = ordering_key(consents_, request.subject);

  // Stage 4: decide for each subscriber as for an exchange.
  std::vector<audit::AuditRecord> entries;
  for (const SubscriptionEntry& subscription : subscriptions_.subscribers_of(request.category)) {
    if (!request.to.empty() &&
        std::find(request.to.begin(), request.to.end(), subscription.subscriber) == request.to.end()) {
      continue;
    }
    if (subscription.subscriber == caller.id) continue;  // nobody is sent its own events
    audit::AuditRecord entry = audit_record(publication->event_id, caller.id, subscription, request.subject);
    const policy::Decision decision = policies_.decide(policy::DecisionRequest{
        subscription.subscriber, caller.id, request.category, subscription.purpose, {}, publication->at});
    entry.rule_id = decision.rule_id;
    std::optional<Reason> denial = decision.reason;
    if (decision.allowed() && decision.basis.kind == policy::BasisKind::consent) {
      const consent::ConsentCheck check = consents_.check(request.subject, subscription.subscriber, caller.id,
                                                          request.category, subscription.purpose, publication->at);
      if (check.allowed()) {
        entry.basis_type = audit::BasisType::consent;
        entry.basis = check.consent_id;
      } else {
        denial = *check.denial;
      }
    } else if (decision.allowed()) {
      entry.basis_type = audit::BasisType::law;
      entry.basis = decision.basis.legal_reference;
    }
    // A rule that requires end-to-end encryption is met with the copy the publisher sealed for
    // this subscriber and these fields, or not at all: never in clear.
    const SealedCopy* sealed_copy = nullptr;
    if (!denial && decision.obligations.contains(policy::Obligation::end_to_end_encryption)) {
      sealed_copy = sealed_copy_for(request.sealed, subscription.subscriber, decision.permitted_fields);
      if (sealed_copy == nullptr) {
        denial = encryption_keys_.public_key_of(subscription.subscriber) ? Reason::sealing_unavailable
                                                                         : Reason::encryption_key_missing;
      }
    }
    json::object minimised;
    if (!denial && sealed_copy == nullptr) {
      minimised = records::project(request.record, decision.permitted_fields);
      if (minimised.empty()) denial = Reason::field_not_permitted;
    }
    if (denial) {
      entry.decision = audit::Decision::deny;
      entry.reason = std::string(to_string(*denial));
      entries.push_back(std::move(entry));
      continue;
    }
    json::object payload{
        {"event_id", publication->event_id}, {"publisher", caller.id},    {"category", request.category},
        {"purpose", subscription.purpose},   {"subject", request.subject}, {"published_at", published_at},
        {"obligations", json::value_from(decision.obligations.names())},
    };
    // The audit entry holds the hash of what the subscriber receives: the sealed text, or the
    // minimised record. A sealed copy carries its signature inside.
    if (sealed_copy != nullptr) {
      entry.payload_hash = pse::Sha256().update(sealed_copy->sealed_record).finish();
      payload.emplace("sealed_record", sealed_copy->sealed_record);
    } else {
      entry.payload_hash = pse::Sha256().update(json::serialize(minimised)).finish();
      payload.emplace("record", std::move(minimised));
    }
    std::string text = json::serialize(payload);
    if (proof && sealed_copy == nullptr) {
      text.pop_back();
      text += ",\"integrity\":" +
              signature_json(request.signature->jws, *proof, records::with_list_names(decision.permitted_fields)) + "}";
    }
    entry.decision = audit::Decision::allow;
    entry.permitted_fields = decision.permitted_fields;
    entry.obligations = decision.obligations.names();
    entries.push_back(std::move(entry));
    publication->deliveries.push_back(
        queue::NewDelivery{subscription.subscriber, order, std::move(text), category->impact.availability});
  }

  // Stage 6 (after 5): queue the deliveries once every decision is durable in the audit log.
  auto enqueue = [this, publication] {
    const PublishRequest& req = publication->request;
    queue_.publish(queue::NewEvent{publication->publisher, req.idempotency_key, publication->event_id, req.category},
                   std::move(publication->deliveries), [this, publication](queue::DeliveryQueue::PublishResult ack) {
                     HttpResponse response;
                     if (!ack) {
                       log::error("publish could not be queued",
                                  {{"event_id", publication->event_id}, {"detail", ack.error().message}});
                       response = refusal(Reason::overloaded, "the event could not be stored now; publish it again");
                     } else {
                       response = HttpResponse{
                           202, "application/json",
                           json::serialize(json::object{{"event_id", ack->event_id}, {"duplicate", ack->duplicate}})};
                       metrics_.events_queued(ack->deliveries);
                     }
                     metrics_.publish_completed(response.status);
                     publication->respond(std::move(response));
                   });
  };

  // Stage 5: audit every decision; the last durable append moves on.
  if (entries.empty()) return enqueue();
  publication->audits_waiting = entries.size();
  for (auto& entry : entries) {
    audit_.append(std::move(entry), [this, publication, enqueue](audit::AuditLog::AppendResult seq) {
      if (!seq) {
        std::lock_guard lock(publication->failure_mutex);
        if (!publication->first_failure) publication->first_failure = seq.error();
        publication->audit_failed = true;
      }
      if (publication->audits_waiting.fetch_sub(1) != 1) return;
      if (publication->audit_failed) {
        audit::AuditError failure;
        {
          std::lock_guard lock(publication->failure_mutex);
          failure = *publication->first_failure;
        }
        const Reason reason = audit_refusal_reason(failure.code);
        HttpResponse response = refusal(reason, "the audit log cannot record this event now; publish it again");
        if (reason == Reason::rate_limited) {
          // The publisher holds its whole share of the log's queue.
          admission_.count_refusal(publication->publisher, AdmissionKind::audit_share);
          response.retry_after_seconds = 1;
        } else if (reason != Reason::audit_unavailable) {
          // An audit log that cannot commit says so once itself; a line per publish would flood.
          log::error("audit append failed; publish refused", {{"event_id", publication->event_id}, {"detail", failure.message}});
        }
        metrics_.publish_completed(response.status);
        return publication->respond(std::move(response));
      }
      enqueue();
    });
  }
}

}  // namespace pse::broker

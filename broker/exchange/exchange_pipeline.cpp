#include "broker/exchange/exchange_pipeline.hpp"

#include "base/log.hpp"
#include "broker/admission/availability.hpp"
#include "audit/audit_log.hpp"
#include "base/sha256.hpp"
#include "broker/audit_health.hpp"
#include "broker/consent/consent_registry.hpp"
#include "broker/exchange/exchange_request.hpp"
#include "broker/json_body.hpp"
#include "broker/sealed_text.hpp"
#include "broker/signed_record_json.hpp"
#include "broker/exchange/shared_requests.hpp"
#include "broker/admission/org_admission.hpp"
#include "policy/policy_engine.hpp"

#include <pse/record_fields.hpp>

#include <boost/json.hpp>

#include <algorithm>

namespace pse::broker {
namespace json = boost::json;

// Everything one exchange carries from stage to stage.
struct ExchangePipeline::Exchange {
  std::string consumer;
  ExchangeRequest request;
  policy::Instant at{};
  policy::Decision decision;
  std::string basis_reference;  // consent id or legal reference
  std::string record_text;  // the minimised record, serialised once
  std::string seal_for;       // end-to-end encryption: the consumer's public key (base64)
  std::string sealed_record;  // the provider's record sealed for the consumer (base64)
  bool signed_records = false;  // the category's integrity rating requires the provider's signature
  std::string signature_json;   // {"jws":…,"disclosures":[…]}: the proof of the permitted fields
  int availability = 0;  // the category's D rating (broker/admission/availability.hpp)
  std::chrono::milliseconds provider_timeout{0};
  bool counted = false;  // holds a place in the consumer's in-flight count
  bool shared_claim = false;  // holds the request id's claim among the hub's brokers
  audit::Decision audit_decision = audit::Decision::deny;
  std::string denial_reason;
  std::optional<DisclosureNotice> notice;  // notify_subject: kept with the audit entry, sent after it
  Respond respond;
};

namespace {

// Whether `fields` holds a sub-field of the list field `list` ("list.sub").
bool has_sub_field(const std::vector<std::string>& fields, std::string_view list) {
  return std::any_of(fields.begin(), fields.end(), [list](const std::string& field) {
    return field.size() > list.size() + 1 && field.starts_with(list) && field[list.size()] == '.';
  });
}

HttpResponse refusal(Reason reason, std::string_view message, const std::string& request_id) {
  json::object error{{"code", to_string(reason)}, {"message", message.empty() ? describe(reason) : message}};
  if (!request_id.empty()) error["request_id"] = request_id;
  return HttpResponse{http_status(reason), "application/json", json::serialize(json::object{{"error", std::move(error)}})};
}

// The consumer can cite the sequence number of its exchange's audit entry to a privacy officer.
void add_audit_seq(HttpResponse& response, std::uint64_t audit_seq) {
  if (response.status != 200) return;
  response.body.pop_back();
  response.body += ",\"audit_seq\":" + std::to_string(audit_seq) + "}";
}

}  // namespace

ExchangePipeline::ExchangePipeline(const policy::PolicyEngine& policies, const consent::ConsentRegistry& consents,
                                   audit::AuditLog& audit, ProviderDirectory& providers, Metrics& metrics,
                                   ExchangeSettings settings, Clock clock, Post post, OrgAdmission& admission)
    : policies_(policies),
      consents_(consents),
      audit_(audit),
      providers_(providers),
      metrics_(metrics),
      settings_(settings),
      clock_(std::move(clock)),
      post_(std::move(post)),
      admission_(admission),
      idempotency_(settings.idempotency_window, settings.idempotency_entries),
      encryption_keys_(settings.keys_dir / "encryption", "encryption key"),
      signing_keys_(settings.keys_dir / "signing", "signing key") {}

// Stages 1 and 2: the caller is already authenticated by its certificate; admit it, then read
// the body.
void ExchangePipeline::run(const policy::Organisation& caller, const std::string& body, Respond respond) {
  if (const auto refusal = admission_.admit_exchange(caller.id)) {
    HttpResponse response = rate_limited_response(*refusal);
    metrics_.exchange_completed(response.status);
    return respond(std::move(response));
  }
  auto parsed = parse_exchange_request(body);
  if (!parsed) {
    // Nothing attributable to audit: no valid subject or category. The refusal is logged.
    log::info("exchange refused before parsing", {{"consumer", caller.id}, {"reason", to_string(parsed.error().reason)}});
    HttpResponse response = refusal(parsed.error().reason, parsed.error().message, {});
    metrics_.exchange_completed(response.status);
    return respond(std::move(response));
  }
  auto exchange = std::make_shared<Exchange>();
  exchange->consumer = caller.id;
  exchange->request = std::move(parsed.value());
  exchange->at = clock_();
  exchange->respond = std::move(respond);

  // Only an id the consumer chose can come back in a retry; one the broker made is never remembered.
  if (exchange->request.request_id_given) {
    const auto claim = idempotency_.claim(exchange->consumer, exchange->request.request_id,
                                          [reply = exchange->respond](const HttpResponse& earlier) { reply(earlier); });
    if (claim != IdempotencyCache::Claim::first) return;  // a retry: answered with the first outcome
    if (shared_) return claim_shared(exchange);
  }
  start(exchange);
}

// Another broker of the hub may have answered this request id, or be answering it now.
void ExchangePipeline::claim_shared(const ExchangePtr& exchange) {
  shared_->claim(exchange->consumer, exchange->request.request_id, [this, exchange](SharedClaim claim) {
    post_([this, exchange, claim = std::move(claim)] {
      switch (claim.kind) {
        case SharedClaim::Kind::mine:
          exchange->shared_claim = true;
          return start(exchange);
        case SharedClaim::Kind::answered: {
          HttpResponse kept{claim.status, claim.content_type, claim.body};
          add_audit_seq(kept, claim.audit_seq);
          return finish(exchange, kept);
        }
        case SharedClaim::Kind::elsewhere: {
          HttpResponse running = refusal(Reason::request_in_progress, {}, exchange->request.request_id);
          running.retry_after_seconds = 1;
          return finish(exchange, running);
        }
        case SharedClaim::Kind::failed: {
          log::warn("exchange refused: its request id cannot be claimed",
                    {{"request_id", exchange->request.request_id}, {"detail", claim.detail}});
          HttpResponse refused = refusal(Reason::store_unavailable, {}, exchange->request.request_id);
          refused.retry_after_seconds = 1;
          return finish(exchange, refused);
        }
      }
    });
  });
}

void ExchangePipeline::start(const ExchangePtr& exchange) {
  {
    const auto snapshot = policies_.snapshot();
    const policy::Category* category = snapshot->classification().find(exchange->request.category);
    exchange->availability = category != nullptr ? category->impact.availability : 0;
    exchange->signed_records = category != nullptr && category->signed_records;
    exchange->provider_timeout = provider_timeout_for(category, settings_.provider_timeout);
  }
  if (!enter(exchange->consumer, exchange->availability)) {
    return deny(exchange, Reason::overloaded, "too many exchanges in flight for this consumer");
  }
  exchange->counted = true;
  decide(exchange);
}

// Stages 3 to 6: policy, basis, rate limit, route.
void ExchangePipeline::decide(const ExchangePtr& exchange) {
  const ExchangeRequest& request = exchange->request;
  exchange->decision = policies_.decide(policy::DecisionRequest{exchange->consumer, request.provider, request.category,
                                                                request.purpose, request.fields, exchange->at});
  const policy::Decision& decision = exchange->decision;
  if (!decision.allowed()) return deny(exchange, *decision.reason);

  if (decision.basis.kind == policy::BasisKind::consent) {
    const consent::ConsentCheck check = consents_.check(request.subject, exchange->consumer, request.provider,
                                                        request.category, request.purpose, exchange->at);
    if (!check.allowed()) return deny(exchange, *check.denial);
    exchange->basis_reference = check.consent_id;
  } else {
    exchange->basis_reference = decision.basis.legal_reference;
  }

  if (decision.rate_limit &&
      !rate_limiter_.allow(exchange->consumer, decision.rule_id, decision.rate_limit->requests, decision.rate_limit->period)) {
    return deny(exchange, Reason::rate_limited);
  }

  if (decision.obligations.contains(policy::Obligation::end_to_end_encryption)) {
    auto key = encryption_keys_.public_key_of(exchange->consumer);
    if (!key) {
      return deny(exchange, Reason::encryption_key_missing,
                  "the rule requires end-to-end encryption and no encryption key is registered for '" +
                      exchange->consumer + "'");
    }
    exchange->seal_for = std::move(*key);
  }

  auto channel = providers_.pick(request.provider, request.category);
  if (!channel) return deny(exchange, Reason::provider_unavailable, "no connector of '" + request.provider + "' serves " + request.category);
  ProviderCall call{request.request_id, exchange->consumer, request.category, request.purpose, request.subject,
                    decision.permitted_fields, exchange->provider_timeout, exchange->availability, exchange->seal_for,
                    exchange->signed_records};
  channel->call(std::move(call), [this, exchange](Result<ProviderAnswer> answer) { receive(exchange, std::move(answer)); });
}

// Stages 7 and 8: the provider's answer, minimised to the permitted fields.
// The record is written straight to text (no copy of the tree): it is hashed for the audit
// entry and spliced into the answer as is. A record sealed for the consumer is passed on as it
// came: the broker can neither read nor minimise it (the provider's connector minimised it
// before sealing), and its audit entry holds the hash of the sealed text.
void ExchangePipeline::receive(const ExchangePtr& exchange, Result<ProviderAnswer> answer) {
  if (!answer) return deny(exchange, answer.error().reason, answer.error().message);
  if (!exchange->seal_for.empty() || !answer->sealed.empty()) {
    if (exchange->seal_for.empty()) {
      return deny(exchange, Reason::provider_error, "the provider sealed a record the rule does not require sealed");
    }
    if (answer->sealed.empty()) {
      // Dropped unread: a record the broker must never hold in clear is not kept or logged.
      return deny(exchange, Reason::provider_error,
                  "the provider answered in clear a record the rule requires sealed for the consumer");
    }
    if (!is_sealed_box_text(answer->sealed)) {
      return deny(exchange, Reason::provider_error, "the provider's sealed record is not a sealed box in base64");
    }
    exchange->sealed_record = std::move(answer->sealed);
    exchange->audit_decision = audit::Decision::allow;
    return audit_and_respond(exchange, HttpResponse{200, "application/json", allowed_answer(*exchange)});
  }
  const json::object& record = answer->record;
  const std::vector<std::string>& permitted = exchange->decision.permitted_fields;
  std::string text = "{";
  std::uint64_t dropped = 0;
  for (const auto& [name, value] : record) {
    const bool plain = std::find(permitted.begin(), permitted.end(), std::string_view(name)) != permitted.end();
    // A list field goes on with each item kept to its permitted sub-fields, if any is.
    if (!plain && !(value.is_array() && has_sub_field(permitted, name))) {
      ++dropped;
      continue;
    }
    if (auto problem = records::value_problem(name, value)) {
      return deny(exchange, Reason::provider_error, "the provider sent a bad value: " + *problem);
    }
    if (plain && !records::is_scalar(value)) {
      return deny(exchange, Reason::provider_error, "the provider sent a list for '" + std::string(name) + "', which is not a list field");
    }
    if (text.size() > 1) text += ',';
    log::append_json_string(text, name);
    text += ':';
    if (value.is_string()) {
      log::append_json_string(text, value.get_string());
    } else if (plain) {
      text += json::serialize(value);
    } else {
      text += json::serialize(records::project(json::object{{name, value}}, permitted).at(name));
    }
  }
  text += '}';
  // A permitted field the provider gave no value for is not dropped in silence: the consumer
  // finds it among the refused fields, and the audit entry and the citizen's notice name only
  // the fields communicated.
  std::vector<std::string>& kept = exchange->decision.permitted_fields;
  const auto missing = std::stable_partition(kept.begin(), kept.end(), [&record](const std::string& name) {
    return records::provides(record, name);
  });
  if (missing != kept.end()) {
    metrics_.provider_fields_missing(static_cast<std::uint64_t>(kept.end() - missing));
    for (auto field = missing; field != kept.end(); ++field) {
      exchange->decision.refused_fields.push_back({*field, Reason::field_not_provided});
    }
    kept.erase(missing, kept.end());
  }
  if (exchange->signed_records || answer->signature) {
    if (auto checked = check_signature(*exchange, *answer); !checked) {
      return deny(exchange, Reason::integrity_failed, checked.error().message);
    }
  }
  if (dropped > 0) {
    metrics_.provider_fields_dropped(dropped);
    log::info("fields dropped from a provider record",
              {{"request_id", exchange->request.request_id}, {"provider", exchange->request.provider}, {"dropped", dropped}});
  }
  exchange->record_text = std::move(text);
  exchange->audit_decision = audit::Decision::allow;
  audit_and_respond(exchange, HttpResponse{200, "application/json", allowed_answer(*exchange)});
}

// The signature must be the provider's, made for this consumer, subject, category and request,
// over every field of the record. Only the disclosures of the permitted fields go on: another
// field's disclosure holds its value.
Status ExchangePipeline::check_signature(Exchange& exchange, const ProviderAnswer& answer) {
  const ExchangeRequest& request = exchange.request;
  auto proof = verify_signed_record(signing_keys_, request.provider, answer.record, answer.signature,
                                    {exchange.consumer, request.subject, request.category, request.request_id, 0});
  if (!proof) return proof.error();
  exchange.signature_json =
      signature_json(answer.signature->jws, *proof, records::with_list_names(exchange.decision.permitted_fields));
  return Done{};
}

// {"record":…,"request_id":…,"refused_fields":[{"name":…,"reason":…}],"rule_id":…,
//  "basis":{"type":…,"reference":…},"obligations":[…][,"integrity":{"jws":…,"disclosures":[…]}]}
//  — audit_seq is added once durable;
// "sealed_record":"…" (base64) in place of "record" under end-to-end encryption.
std::string ExchangePipeline::allowed_answer(const Exchange& exchange) {
  const policy::Decision& decision = exchange.decision;
  std::string out;
  out.reserve(exchange.record_text.size() + exchange.sealed_record.size() + 256);
  if (exchange.sealed_record.empty()) {
    out += "{\"record\":";
    out += exchange.record_text;
  } else {
    out += "{\"sealed_record\":";
    log::append_json_string(out, exchange.sealed_record);
  }
  out += ",\"request_id\":";
  log::append_json_string(out, exchange.request.request_id);
  out += ",\"refused_fields\":[";
  for (std::size_t i = 0; i < decision.refused_fields.size(); ++i) {
    out += i > 0 ? ",{\"name\":" : "{\"name\":";
    log::append_json_string(out, decision.refused_fields[i].name);
    out += ",\"reason\":";
    log::append_json_string(out, to_string(decision.refused_fields[i].reason));
    out += '}';
  }
  out += "],\"rule_id\":";
  log::append_json_string(out, decision.rule_id);
  out += ",\"basis\":{\"type\":";
  log::append_json_string(out, policy::to_string(decision.basis.kind));
  out += ",\"reference\":";
  log::append_json_string(out, exchange.basis_reference);
  out += "},\"obligations\":[";
  bool first = true;
  for (policy::Obligation obligation : decision.obligations.list()) {
    if (!first) out += ',';
    first = false;
    log::append_json_string(out, policy::to_string(obligation));
  }
  out += ']';
  if (!exchange.signature_json.empty()) {
    out += ",\"integrity\":";
    out += exchange.signature_json;
  }
  out += '}';
  return out;
}

void ExchangePipeline::deny(const ExchangePtr& exchange, Reason reason, std::string message) {
  exchange->audit_decision = audit::Decision::deny;
  exchange->denial_reason = std::string(to_string(reason));
  audit_and_respond(exchange, refusal(reason, message, exchange->request.request_id));
}

// Stages 9 and 10: the answer leaves only once its audit entry is durable.
void ExchangePipeline::audit_and_respond(const ExchangePtr& exchange, HttpResponse response) {
  const ExchangeRequest& request = exchange->request;
  const policy::Decision& decision = exchange->decision;
  const bool allowed = exchange->audit_decision == audit::Decision::allow;

  audit::AuditRecord entry;
  entry.request_id = request.request_id;
  entry.consumer = exchange->consumer;
  entry.provider = request.provider;
  entry.category = request.category;
  entry.purpose = request.purpose;
  entry.decision = exchange->audit_decision;
  entry.reason = exchange->denial_reason;
  entry.rule_id = decision.rule_id;
  if (!exchange->basis_reference.empty()) {
    entry.basis_type = decision.basis.kind == policy::BasisKind::consent ? audit::BasisType::consent : audit::BasisType::law;
    entry.basis = exchange->basis_reference;
  }
  if (allowed) {
    entry.permitted_fields = decision.permitted_fields;
    entry.obligations = decision.obligations.names();
    entry.payload_hash =
        pse::Sha256().update(exchange->sealed_record.empty() ? exchange->record_text : exchange->sealed_record).finish();
  }
  entry.subject_id = request.subject;
  if (exchange->shared_claim && IdempotencyCache::keeps(response)) {
    entry.answer = audit::KeptAnswer{response.status, response.content_type,
                                     shared_->seal_answer(exchange->consumer, request.request_id, response.body),
                                     shared_->answer_expiry_micros()};
  }
  if (response.status == 200 && keep_notice_) {
    exchange->notice = disclosure_notice(*exchange);
    if (exchange->notice) entry.outbox = keep_notice_(*exchange->notice);
  }

  audit_.append(std::move(entry), [this, exchange, response = std::move(response)](audit::AuditLog::AppendResult seq) mutable {
    std::optional<std::uint64_t> durable;
    std::optional<audit::AuditError> failure;
    if (seq) {
      durable = *seq;
    } else {
      failure = std::move(seq.error());
    }
    post_([this, exchange, response = std::move(response), durable, failure = std::move(failure)]() mutable {
      answer_after_audit(exchange, std::move(response), durable, failure);
    });
  });
}

void ExchangePipeline::answer_after_audit(const ExchangePtr& exchange, HttpResponse response,
                                          std::optional<std::uint64_t> audit_seq,
                                          const std::optional<audit::AuditError>& failure) {
  if (!audit_seq) {
    // Fail closed: without a durable audit entry, nothing leaves — not even the record.
    const Reason reason = failure ? audit_refusal_reason(failure->code) : Reason::internal_error;
    HttpResponse refused = refusal(reason, "the audit log cannot record this exchange now; retry later",
                                   exchange->request.request_id);
    if (reason == Reason::rate_limited) {
      // The consumer's organisation holds its whole share of the log's queue.
      admission_.count_refusal(exchange->consumer, AdmissionKind::audit_share);
      refused.retry_after_seconds = 1;
    } else if (reason != Reason::audit_unavailable) {
      // An audit log that cannot commit says so once itself; a line per exchange would flood.
      log::error("audit append failed; exchange refused",
                 {{"request_id", exchange->request.request_id}, {"detail", failure ? failure->message : ""}});
    }
    return finish(exchange, refused);
  }
  add_audit_seq(response, *audit_seq);
  if (exchange->notice && notify_subject_) {
    exchange->notice->audit_seq = *audit_seq;
    notify_subject_(std::move(*exchange->notice));
  }
  finish(exchange, response);
}

std::optional<DisclosureNotice> ExchangePipeline::disclosure_notice(const Exchange& exchange) const {
  const policy::Decision& decision = exchange.decision;
  if (exchange.audit_decision != audit::Decision::allow ||
      !decision.obligations.contains(policy::Obligation::notify_subject)) {
    return std::nullopt;
  }
  const ExchangeRequest& request = exchange.request;
  return DisclosureNotice{request.subject, exchange.consumer, request.provider, request.category,
                          request.purpose, decision.permitted_fields, decision.rule_id,
                          std::string(policy::to_string(decision.basis.kind)), exchange.basis_reference,
                          exchange.at, 0, request.request_id};
}

void ExchangePipeline::finish(const ExchangePtr& exchange, const HttpResponse& response) {
  if (exchange->counted) leave(exchange->consumer);
  metrics_.exchange_completed(response.status);
  if (exchange->request.request_id_given) idempotency_.complete(exchange->consumer, exchange->request.request_id, response);
  // A kept answer was written with the audit entry; any other outcome frees the id for a retry.
  if (exchange->shared_claim && !IdempotencyCache::keeps(response)) {
    shared_->release(exchange->consumer, exchange->request.request_id);
  }
  exchange->respond(response);
}

bool ExchangePipeline::enter(const std::string& consumer, int availability) {
  std::lock_guard lock(in_flight_mutex_);
  auto& count = in_flight_[consumer];
  if (count >= slots_for(settings_.max_in_flight_per_consumer, availability)) {
    if (count == 0) in_flight_.erase(consumer);
    return false;
  }
  ++count;
  return true;
}

void ExchangePipeline::leave(const std::string& consumer) {
  std::lock_guard lock(in_flight_mutex_);
  auto it = in_flight_.find(consumer);
  if (it != in_flight_.end() && --it->second == 0) in_flight_.erase(it);
}

}  // namespace pse::broker

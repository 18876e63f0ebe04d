#include "broker/consent_routes.hpp"

#include "audit/audit_log.hpp"
#include "base/sha256.hpp"
#include "broker/access_register.hpp"
#include "broker/audit_health.hpp"
#include "broker/consent_request.hpp"
#include "broker/exchange/exchange_request.hpp"
#include "broker/json_body.hpp"
#include "policy/organisations.hpp"

#include <boost/json.hpp>

namespace pse::broker {
namespace json = boost::json;
using consent::Consent;
using consent::Instant;
using consent::Mandate;

namespace {

HttpResponse json_response(int status, const json::value& body) {
  return HttpResponse{status, "application/json", json::serialize(body)};
}

HttpResponse error_of(const Error& error) { return error_response(error.reason, error.message); }

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

json::object consent_json(const Consent& c, Instant now) {
  json::object given_by{{"kind", consent::to_string(c.given_by.kind)}};
  if (!c.given_by.mandate_id.empty()) given_by["mandate_id"] = c.given_by.mandate_id;
  if (!c.given_by.relationship.empty()) given_by["relationship"] = c.given_by.relationship;
  json::object out{
      {"id", c.id},
      {"schema_version", c.schema_version},
      {"state", consent::to_string(c.state_at(now))},
      {"given_by", std::move(given_by)},
      {"provider", c.provider},
      {"consumer", c.consumer},
      {"categories", strings(c.categories)},
      {"purpose", json::object{{"code", c.purpose.code}, {"fr", c.purpose.text_fr}, {"en", c.purpose.text_en}}},
      {"notice", json::object{{"reference", c.notice.reference}, {"version", c.notice.version}, {"language", c.notice.language}}},
      {"collection_method", c.collection_method},
      {"granted_at", policy::format_instant(c.granted_at)},
      {"expires_at", policy::format_instant(c.expires_at)},
      {"recorded_by", c.recorded_by},
  };
  if (!c.previous_id.empty()) out["previous_id"] = c.previous_id;
  if (!c.superseded_by.empty()) out["superseded_by"] = c.superseded_by;
  if (c.revoked_at) {
    out["revoked_at"] = policy::format_instant(*c.revoked_at);
    out["revocation_method"] = c.revocation_method;
    if (!c.revoked_through.empty()) {
      out["revoked_by"] = json::object{{"kind", "mandatary"}, {"mandate_id", c.revoked_through}};
    }
  }
  return out;
}

json::object mandate_json(const Mandate& m, Instant now) {
  json::object out{
      {"id", m.id},
      {"state", consent::to_string(m.state_at(now))},
      {"categories", strings(m.categories)},
      {"purposes", strings(m.purposes)},
      {"valid_from", policy::format_instant(m.valid_from)},
      {"valid_until", policy::format_instant(m.valid_until)},
      {"recorded_by", m.recorded_by},
  };
  if (m.granted_at) out["granted_at"] = policy::format_instant(*m.granted_at);
  if (m.revoked_at) {
    out["revoked_at"] = policy::format_instant(*m.revoked_at);
    out["revocation_method"] = m.revocation_method;
  }
  return out;
}

// A mandate in the subject's view. The registry keeps both parties as keyed hashes only, so it
// can name the subject (whose id the request gave) and never the other party: null, whom the
// consent authority that recorded the mandate knows by its id.
json::object subject_mandate_json(const Mandate& m, const std::string& subject_id, const pse::Hash& subject,
                                  Instant now) {
  json::object out = mandate_json(m, now);
  out["mandator"] = m.mandator == subject ? json::value(subject_id) : json::value(nullptr);
  out["mandatary"] = m.mandatary == subject ? json::value(subject_id) : json::value(nullptr);
  return out;
}

}  // namespace

ConsentRoutes::ConsentRoutes(consent::ConsentRegistry& registry, audit::AuditLog& audit_log,
                             audit::AuditStore& audit_reader, Clock clock)
    : registry_(registry), audit_log_(audit_log), audit_reader_(audit_reader), clock_(std::move(clock)) {}

bool ConsentRoutes::serves(const Target& target) {
  const auto& s = target.segments;
  return s.size() >= 2 && s[0] == "v1" &&
         (s[1] == "consents" || s[1] == "mandates" || target.matches({"v1", "subjects", "*", "consents"}) ||
          target.matches({"v1", "subjects", "*", "mandates"}) || target.matches({"v1", "subjects", "*", "accesses"}) ||
          target.matches({"v1", "subjects", "*", "accesses", "*", "proof"}));
}

void ConsentRoutes::handle(const policy::Organisation& caller, const HttpRequest& request, const Target& target,
                           Respond respond) {
  std::optional<Disclosure> read;
  HttpResponse answer = route(caller, request, target, read);
  if (read) return audit_then_answer(caller, std::move(*read), std::move(respond));
  respond(std::move(answer));
}

// A read is answered only once an entry saying who read what about whom is durable.
void ConsentRoutes::audit_then_answer(const policy::Organisation& caller, Disclosure read, Respond respond) {
  if (read.answer.status != 200) return respond(std::move(read.answer));  // nothing disclosed
  audit::AuditRecord entry;
  entry.request_id = new_request_id();
  entry.consumer = caller.id;
  entry.provider = std::string(audit::kRegistryHolder);
  entry.category = std::string(audit::kRegistryCategory);
  entry.purpose = std::string(audit::to_purpose(read.what));
  entry.decision = audit::Decision::allow;
  entry.permitted_fields = std::move(read.disclosed);
  entry.payload_hash = pse::Sha256().update(read.answer.body).finish();
  entry.subject_hash = read.subject;
  audit_log_.append(std::move(entry), [respond = std::move(respond), answer = std::move(read.answer)](
                                          audit::AuditLog::AppendResult seq) mutable {
    if (seq) return respond(std::move(answer));
    const Reason reason = audit_refusal_reason(seq.error().code);
    HttpResponse refused = error_response(reason, "the audit log cannot record this read now; retry later");
    if (reason == Reason::rate_limited) refused.retry_after_seconds = 1;
    respond(std::move(refused));
  });
}

HttpResponse ConsentRoutes::route(const policy::Organisation& caller, const HttpRequest& request, const Target& target,
                                  std::optional<Disclosure>& read) {
  const auto& s = target.segments;
  if (!caller.has_role(policy::Role::consent_authority)) {
    return error_response(Reason::not_consent_authority,
                          "only a consent authority may use the consent registry; '" + caller.id + "' is not one");
  }
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  const HttpResponse not_allowed = error_response(Reason::method_not_allowed);

  if (target.matches({"v1", "consents"})) {
    if (post) return grant(caller, request);
    if (!get) return not_allowed;
    auto subject = target.query.find("subject");
    if (subject == target.query.end() || subject->second.empty()) {
      return error_response(Reason::malformed_request, "the subject query parameter is required");
    }
    read = list(subject->second);
    return {};
  }
  if (target.matches({"v1", "consents", "*"})) {
    if (!get) return not_allowed;
    read = this->read(s[2]);
    return {};
  }
  if (target.matches({"v1", "consents", "*", "amend"})) return post ? amend(caller, s[2], request) : not_allowed;
  if (target.matches({"v1", "consents", "*", "revoke"})) return post ? revoke(caller, s[2], request) : not_allowed;
  if (target.matches({"v1", "subjects", "*", "consents"})) {
    if (!get) return not_allowed;
    read = list(s[2]);
    return {};
  }
  if (target.matches({"v1", "subjects", "*", "mandates"})) {
    if (!get) return not_allowed;
    read = mandates(s[2], target);
    return {};
  }
  if (target.matches({"v1", "subjects", "*", "accesses"})) {
    if (!get) return not_allowed;
    read = accesses(s[2], target);
    return {};
  }
  if (target.matches({"v1", "subjects", "*", "accesses", "*", "proof"})) {
    if (!get) return not_allowed;
    read = proof(s[2], s[4], target);
    return {};
  }
  if (target.matches({"v1", "mandates"})) return post ? grant_mandate(caller, request) : not_allowed;
  if (target.matches({"v1", "mandates", "*", "revoke"})) return post ? revoke_mandate(caller, s[2], request) : not_allowed;
  return error_response(Reason::not_found);
}

HttpResponse ConsentRoutes::grant(const policy::Organisation& caller, const HttpRequest& request) {
  auto body = read_grant_request(request.body);
  if (!body) return error_of(body.error());
  const Instant now = clock_();
  auto outcome = registry_.grant(*body, caller.id, now);
  if (!outcome) return error_of(outcome.error());
  return json_response(201, json::object{{"consent", consent_json(outcome->consent, now)}, {"receipt", outcome->receipt}});
}

HttpResponse ConsentRoutes::amend(const policy::Organisation& caller, const std::string& id, const HttpRequest& request) {
  auto body = read_grant_request(request.body);
  if (!body) return error_of(body.error());
  const Instant now = clock_();
  auto outcome = registry_.amend(id, *body, caller.id, now);
  if (!outcome) return error_of(outcome.error());
  return json_response(201, json::object{{"consent", consent_json(outcome->consent, now)}, {"receipt", outcome->receipt}});
}

HttpResponse ConsentRoutes::revoke(const policy::Organisation& caller, const std::string& id, const HttpRequest& request) {
  auto body = read_consent_revoke_request(request.body);
  if (!body) return error_of(body.error());
  const Instant now = clock_();
  auto outcome = registry_.revoke(id, body->subject, body->method, caller.id, now, body->through);
  if (!outcome) return error_of(outcome.error());
  return json_response(200, json::object{{"consent", consent_json(outcome->consent, now)}, {"receipt", outcome->receipt}});
}

ConsentRoutes::Disclosure ConsentRoutes::list(const std::string& subject) {
  Disclosure read{{}, audit::RegistryRead::consents, registry_.hash_subject(subject), {}};
  auto consents = registry_.consents_of(subject);
  if (!consents) {
    read.answer = error_of(consents.error());
    return read;
  }
  const Instant now = clock_();
  json::array items;
  for (const auto& c : *consents) {
    items.push_back(consent_json(c, now));
    read.disclosed.push_back(c.id);
  }
  read.answer = json_response(200, json::object{{"consents", std::move(items)}});
  return read;
}

ConsentRoutes::Disclosure ConsentRoutes::read(const std::string& id) {
  Disclosure read{{}, audit::RegistryRead::consent, {}, {}};
  auto found = registry_.consent(id);
  if (!found) {
    read.answer = error_of(found.error());
    return read;
  }
  read.subject = found->subject;
  read.disclosed.push_back(found->id);
  read.answer = json_response(200, json::object{{"consent", consent_json(*found, clock_())}});
  return read;
}

ConsentRoutes::Disclosure ConsentRoutes::mandates(const std::string& subject, const Target& target) {
  Disclosure read{{}, audit::RegistryRead::mandates, registry_.hash_subject(subject), {}};
  if (!target.query.empty()) {
    read.answer = error_response(Reason::malformed_request, "unknown query parameter '" + target.query.begin()->first + "'");
    return read;
  }
  auto found = registry_.mandates_of(subject);
  if (!found) {
    read.answer = error_of(found.error());
    return read;
  }
  const Instant now = clock_();
  json::array given;
  json::array received;
  for (const Mandate& m : *found) {
    (m.mandator == read.subject ? given : received).push_back(subject_mandate_json(m, subject, read.subject, now));
    read.disclosed.push_back(m.id);
  }
  read.answer = json_response(200, json::object{{"given", std::move(given)}, {"received", std::move(received)}});
  return read;
}

ConsentRoutes::Disclosure ConsentRoutes::accesses(const std::string& subject, const Target& target) {
  Disclosure read{{}, audit::RegistryRead::accesses, registry_.hash_subject(subject), {}};
  read.answer = access_list(audit_reader_, read.subject, target);
  return read;
}

ConsentRoutes::Disclosure ConsentRoutes::proof(const std::string& subject, const std::string& audit_seq,
                                               const Target& target) {
  Disclosure read{{}, audit::RegistryRead::proof, registry_.hash_subject(subject), {}};
  const auto seq = read_audit_seq(audit_seq);
  if (!seq) {
    read.answer = error_response(Reason::malformed_request, "audit_seq must be a decimal number of at most 20 digits");
  } else if (!target.query.empty()) {
    read.answer = error_response(Reason::malformed_request, "unknown query parameter '" + target.query.begin()->first + "'");
  } else {
    read.answer = access_proof(audit_reader_, audit_log_.public_key(), read.subject, *seq);
    read.disclosed.push_back(std::to_string(*seq));
  }
  return read;
}

HttpResponse ConsentRoutes::grant_mandate(const policy::Organisation& caller, const HttpRequest& request) {
  auto body = read_mandate_request(request.body);
  if (!body) return error_of(body.error());
  const Instant now = clock_();
  auto outcome = registry_.grant_mandate(*body, caller.id, now);
  if (!outcome) return error_of(outcome.error());
  return json_response(201, json::object{{"mandate", mandate_json(outcome->mandate, now)}, {"receipt", outcome->receipt}});
}

HttpResponse ConsentRoutes::revoke_mandate(const policy::Organisation& caller, const std::string& id,
                                           const HttpRequest& request) {
  auto body = read_mandate_revoke_request(request.body);
  if (!body) return error_of(body.error());
  const Instant now = clock_();
  auto outcome = registry_.revoke_mandate(id, body->subject, body->method, caller.id, now);
  if (!outcome) return error_of(outcome.error());
  return json_response(200, json::object{{"mandate", mandate_json(outcome->mandate, now)}, {"receipt", outcome->receipt}});
}

}  // namespace pse::broker

#include "broker/consent_request.hpp"

#include "broker/json_body.hpp"
#include "policy/instant.hpp"

namespace pse::broker {
namespace json = boost::json;
using consent::Instant;

namespace {

std::optional<Instant> read_instant(JsonFields& fields, std::string_view key, bool required, std::optional<Error>& error) {
  auto text = required ? std::optional(fields.required_string(key)) : fields.optional_string(key);
  if (!text || text->empty()) return std::nullopt;
  auto parsed = policy::parse_instant(*text);
  if (!parsed) {
    error = make_error(Reason::malformed_request,
                       std::string(key) + " must be a UTC date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ)");
    return std::nullopt;
  }
  return parsed->instant;
}

}  // namespace

Result<consent::GrantRequest> read_grant_request(std::string_view body) {
  auto object = parse_json_object(body);
  if (!object) return object.error();
  JsonFields fields(*object);
  consent::GrantRequest r;
  std::optional<Error> error;
  r.subject_id = fields.required_string("subject");
  r.provider = fields.required_string("provider");
  r.consumer = fields.required_string("consumer");
  r.categories = fields.required_string_list("categories");
  r.collection_method = fields.required_string("collection_method");
  auto expires = read_instant(fields, "expires_at", true, error);
  if (expires) r.expires_at = *expires;

  if (const json::object* given_by = fields.optional_object("given_by")) {
    JsonFields giver(*given_by, "given_by.");
    const std::string kind = giver.required_string("kind");
    r.given_by.mandate_id = giver.optional_string("mandate_id").value_or("");
    r.given_by.relationship = giver.optional_string("relationship").value_or("");
    r.mandatary_id = giver.optional_string("mandatary").value_or("");
    if (auto problem = giver.finish()) return *problem;
    auto parsed = consent::giver_kind_from_string(kind);
    if (!parsed) return make_error(Reason::malformed_request, "given_by.kind must be subject, mandatary or guardian");
    r.given_by.kind = *parsed;
  }
  if (const json::object* purpose = fields.required_object("purpose")) {
    JsonFields p(*purpose, "purpose.");
    r.purpose = {p.required_string("code"), p.required_string("fr"), p.required_string("en")};
    if (auto problem = p.finish()) return *problem;
  }
  if (const json::object* notice = fields.required_object("notice")) {
    JsonFields n(*notice, "notice.");
    r.notice = {n.required_string("reference"), n.required_string("version"), n.required_string("language")};
    if (auto problem = n.finish()) return *problem;
  }
  if (auto problem = fields.finish()) return *problem;
  if (error) return *error;
  return r;
}

Result<RevokeRequest> read_consent_revoke_request(std::string_view body) {
  auto object = parse_json_object(body);
  if (!object) return object.error();
  JsonFields fields(*object);
  RevokeRequest r{fields.required_string("subject"), fields.required_string("method"), std::nullopt};
  if (const json::object* given_by = fields.optional_object("given_by")) {
    JsonFields giver(*given_by, "given_by.");
    const std::string kind = giver.required_string("kind");
    consent::MandataryAct act{giver.required_string("mandate_id"), giver.required_string("mandatary")};
    if (auto problem = giver.finish()) return *problem;
    // Without given_by the subject revokes; a guardian's revocation is not told apart (yet).
    if (kind != "mandatary") {
      return make_error(Reason::malformed_request, "given_by.kind must be \"mandatary\" (omit given_by when the subject revokes)");
    }
    r.through = std::move(act);
  }
  if (auto problem = fields.finish()) return *problem;
  return r;
}

Result<RevokeRequest> read_mandate_revoke_request(std::string_view body) {
  auto object = parse_json_object(body);
  if (!object) return object.error();
  JsonFields fields(*object);
  RevokeRequest r{fields.required_string("mandator"), fields.required_string("method"), std::nullopt};
  if (auto problem = fields.finish()) return *problem;
  return r;
}

Result<consent::MandateRequest> read_mandate_request(std::string_view body) {
  auto object = parse_json_object(body);
  if (!object) return object.error();
  JsonFields fields(*object);
  std::optional<Error> error;
  consent::MandateRequest r;
  r.mandator_id = fields.required_string("mandator");
  r.mandatary_id = fields.required_string("mandatary");
  r.categories = fields.required_string_list("categories");
  r.purposes = fields.required_string_list("purposes");
  r.valid_from = read_instant(fields, "valid_from", false, error);
  if (auto until = read_instant(fields, "valid_until", true, error)) r.valid_until = *until;
  if (auto problem = fields.finish()) return *problem;
  if (error) return *error;
  return r;
}

}  // namespace pse::broker

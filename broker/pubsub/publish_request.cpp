#include "broker/pubsub/publish_request.hpp"

#include "broker/json_body.hpp"
#include "broker/sealed_text.hpp"
#include "broker/signed_record_json.hpp"

#include <pse/record_fields.hpp>

#include <algorithm>

namespace pse::broker {
namespace {

constexpr std::size_t kMaxFields = 64;
constexpr std::size_t kMaxRecipients = 64;

Error malformed(std::string message) { return make_error(Reason::malformed_request, std::move(message)); }

bool is_printable(std::string_view text, std::size_t max_size) {
  return !text.empty() && text.size() <= max_size &&
         std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// "sealed": [{"for": org, "fields": [name, …], "sealed_record": base64}, …]
std::optional<Error> read_sealed_copies(const boost::json::value& value, std::vector<SealedCopy>& copies) {
  const char* shape = "sealed must be a list of {\"for\": string, \"fields\": [string, …], \"sealed_record\": string}";
  if (!value.is_array()) return malformed(shape);
  if (value.as_array().size() > kMaxRecipients) return malformed("sealed may hold at most 64 copies");
  for (const auto& item : value.as_array()) {
    if (!item.is_object()) return malformed(shape);
    JsonFields fields(item.as_object(), "sealed.");
    SealedCopy copy;
    copy.recipient = fields.required_string("for");
    copy.fields = fields.required_string_list("fields");
    copy.sealed_record = fields.required_string("sealed_record");
    if (auto problem = fields.finish()) return problem;
    if (!is_printable(copy.recipient, 128)) return malformed("sealed.for must be an organisation id");
    if (copy.fields.empty() || copy.fields.size() > kMaxFields) return malformed("sealed.fields must name 1-64 fields");
    for (const auto& field : copy.fields) {
      if (!is_printable(field, 128)) return malformed("sealed.fields must list field names");
    }
    if (!is_sealed_box_text(copy.sealed_record)) return malformed("sealed.sealed_record must be a sealed box in base64");
    copies.push_back(std::move(copy));
  }
  return std::nullopt;
}

}  // namespace

bool is_valid_idempotency_key(std::string_view key) noexcept {
  return !key.empty() && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == ':';
  });
}

Result<PublishRequest> parse_publish_request(std::string_view body) {
  auto object = parse_json_object(body);
  if (!object) return object.error();
  JsonFields fields(*object);
  PublishRequest request;
  request.category = fields.required_string("category");
  request.subject = fields.required_string("subject");
  request.idempotency_key = fields.required_string("idempotency_key");
  const boost::json::object* record = fields.required_object("record");
  request.to = fields.optional_string_list("to");
  const boost::json::value* integrity = fields.optional_value("integrity");
  const boost::json::value* sealed = fields.optional_value("sealed");
  if (auto problem = fields.finish()) return *problem;
  if (sealed != nullptr) {
    if (auto problem = read_sealed_copies(*sealed, request.sealed)) return *problem;
  }
  if (integrity != nullptr) {
    request.signature = read_signature(*integrity);
    if (!request.signature) return malformed("integrity must be {\"jws\": string, \"disclosures\": [string, …]}");
  }

  if (!is_printable(request.category, 128)) return malformed("category must be 1-128 printable characters");
  if (!is_printable(request.subject, 128)) return malformed("subject must be 1-128 printable characters");
  if (!is_valid_idempotency_key(request.idempotency_key)) {
    return malformed("idempotency_key must be 1-128 of A-Z a-z 0-9 . _ - :");
  }
  // Empty only in an event whose every field goes sealed (the copies may be none, when no
  // recipient has a key: each is then refused, never sent in clear).
  if (record->empty() && sealed == nullptr) return malformed("record must hold at least one field");
  if (record->size() > kMaxFields) return malformed("record may hold at most 64 fields");
  for (const auto& [name, value] : *record) {
    if (auto problem = records::value_problem(name, value)) return malformed("record: " + *problem);
  }
  request.record = *record;
  if (request.to.size() > kMaxRecipients) return malformed("to may name at most 64 organisations");
  for (const auto& organisation : request.to) {
    if (!is_printable(organisation, 128)) return malformed("to must list organisation ids");
  }
  return request;
}

}  // namespace pse::broker

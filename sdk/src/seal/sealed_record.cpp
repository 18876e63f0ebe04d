#include "seal/sealed_record.hpp"

#include "wire/exchange_json.hpp"
#include "wire/json_reader.hpp"

#include <boost/json/serialize.hpp>

namespace pse::seal {
namespace json = boost::json;

std::string seal_record(const json::object& record, const std::optional<integrity::SignedRecord>& signature,
                        const Key& recipient) {
  json::object inside{{"record", record}};
  if (signature) {
    json::array disclosures;
    for (const auto& disclosure : signature->disclosures) disclosures.emplace_back(disclosure);
    inside["integrity"] = json::object{{"jws", signature->jws}, {"disclosures", std::move(disclosures)}};
  }
  return seal(json::serialize(inside), recipient);
}

Result<OpenedRecord> open_record(std::string_view sealed_base64, const Key& secret) {
  auto plaintext = open(sealed_base64, secret);
  if (!plaintext) return plaintext.error();
  auto object = wire::parse_object(*plaintext, "sealed record");
  if (!object) return make_error(Reason::decryption_failed, object.error().message);
  wire::JsonReader reader(*object, "sealed record");
  OpenedRecord opened;
  if (const json::object* record = reader.required_object("record")) opened.record = *record;
  if (const json::object* integrity = reader.optional_object("integrity")) {
    wire::JsonReader signature(*integrity, "sealed record integrity");
    opened.signature.jws = signature.required_string("jws");
    opened.signature.disclosures = signature.string_list("disclosures", true);
    if (auto problem = signature.finish()) reader.fail(problem->message);
  }
  if (auto problem = reader.finish()) return make_error(Reason::decryption_failed, problem->message);
  if (auto problem = wire::check_record(opened.record)) return make_error(Reason::decryption_failed, *problem);
  return opened;
}

}  // namespace pse::seal

#include "broker/signed_record_json.hpp"

#include "base/log.hpp"

#include <boost/json.hpp>

namespace pse::broker {
namespace json = boost::json;

std::optional<integrity::SignedRecord> read_signature(const json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const json::object& object = value.get_object();
  const json::value* jws = object.if_contains("jws");
  const json::value* disclosures = object.if_contains("disclosures");
  if (object.size() != 2 || jws == nullptr || !jws->is_string() || disclosures == nullptr ||
      !disclosures->is_array() || disclosures->get_array().size() > kMaxSignedFields) {
    return std::nullopt;
  }
  integrity::SignedRecord signature{std::string(jws->get_string()), {}};
  for (const json::value& disclosure : disclosures->get_array()) {
    if (!disclosure.is_string()) return std::nullopt;
    signature.disclosures.emplace_back(disclosure.get_string());
  }
  return signature;
}

std::string signature_json(const std::string& jws, const integrity::RecordProof& proof,
                           const std::vector<std::string>& fields) {
  std::string out = "{\"jws\":";
  log::append_json_string(out, jws);
  out += ",\"disclosures\":[";
  bool first = true;
  for (const std::string& field : fields) {
    const auto found = proof.disclosures.find(field);
    if (found == proof.disclosures.end()) continue;
    if (!first) out += ',';
    first = false;
    log::append_json_string(out, found->second);
  }
  out += "]}";
  return out;
}

}  // namespace pse::broker

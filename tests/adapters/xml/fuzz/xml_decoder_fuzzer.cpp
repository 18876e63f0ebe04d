// libFuzzer target for the hardened XML/SOAP decoder (the fuzz preset; see tests/fuzz.cmake).
// Run: scripts/fuzz xml_decoder_fuzzer (seeds: corpus/xml_decoder_fuzzer/)
// Every outcome must keep read == accepted + rejected, and no record may carry the content of
// a local file that the document did not contain (an entity that escaped the DOCTYPE refusal).
#include "adapters/xml/xml_decoder.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

pse::adapters::xml::XmlSchema make_schema(bool soap) {
  using namespace pse::adapters;
  xml::XmlSchema schema;
  schema.soap = soap;
  schema.on_error = ErrorPolicy::skip_record;
  schema.limits.max_bytes = 1U << 20U;
  schema.limits.max_depth = 32;
  std::string error;
  schema.record_path = xml::parse_xml_path(soap ? "/Envelope/Body/ObtenirCitoyenReponse/Citoyen" : "/Citoyens/Citoyen",
                                           true, {}, error);
  const auto add = [&](const char* name, const char* path, FieldType type) {
    xml::XmlField field;
    field.spec.name = name;
    field.spec.type = type;
    field.path = xml::parse_xml_path(path, false, {}, error);
    schema.fields.push_back(field);
  };
  add("nas", "@nas", FieldType::string);
  add("nom", "Nom", FieldType::string);
  add("ville", "Adresse/Ville", FieldType::string);
  add("solde", "Solde", FieldType::decimal);
  add("naissance", "DateNaissance", FieldType::date);
  add("actif", "Actif", FieldType::boolean);
  return schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pse::adapters::xml::XmlSchema plain = make_schema(false);
  static const pse::adapters::xml::XmlSchema soap = make_schema(true);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const auto* schema : {&plain, &soap}) {
    const auto outcome = pse::adapters::xml::decode_xml(input, "fuzz.xml", *schema);
    if (outcome.counts.read != outcome.counts.accepted + outcome.counts.rejected) std::abort();
    // A marker of /etc/passwd in a record is a leak unless the document itself contains it.
    constexpr std::string_view passwd_marker = "root:x:0:0";
    for (const auto& record : outcome.records) {
      if (pse::adapters::to_json(record).find(passwd_marker) != std::string::npos &&
          input.find(passwd_marker) == std::string_view::npos) {
        std::abort();
      }
    }
  }
  return 0;
}

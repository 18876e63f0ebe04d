// libFuzzer target for the CSV decoder (the fuzz preset; see tests/fuzz.cmake).
// Run: scripts/fuzz csv_decoder_fuzzer (seeds: corpus/csv_decoder_fuzzer/)
// The first byte picks the dialect and the policy, so both paths are explored; every outcome
// must keep read == accepted + rejected with errors inside the input.
#include "adapters/csv/csv_decoder.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

pse::adapters::csv::CsvSchema schema_for(std::uint8_t selector) {
  using pse::adapters::FieldSpec;
  using pse::adapters::FieldType;
  pse::adapters::csv::CsvSchema schema;
  const bool french = (selector & 1U) != 0;
  schema.delimiter = french ? ';' : ',';
  schema.header = (selector & 2U) != 0;
  schema.on_error = (selector & 4U) != 0 ? pse::adapters::ErrorPolicy::skip_record : pse::adapters::ErrorPolicy::reject_file;
  const auto add = [&](const char* name, FieldType type, bool required) {
    FieldSpec spec;
    spec.name = name;
    spec.type = type;
    spec.required = required;
    if (french) spec.decimal_separator = ',';
    if (french && type == FieldType::date) spec.date_format = "%d/%m/%Y";
    schema.columns.push_back(spec);
  };
  add("nas", FieldType::string, true);
  add("nom", FieldType::string, false);
  add("solde", FieldType::decimal, false);
  add("enfants", FieldType::integer, false);
  add("naissance", FieldType::date, false);
  add("actif", FieldType::boolean, false);
  return schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const pse::adapters::csv::CsvSchema schemas[8] = {schema_for(0), schema_for(1), schema_for(2), schema_for(3),
                                                           schema_for(4), schema_for(5), schema_for(6), schema_for(7)};
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto outcome = pse::adapters::csv::decode_csv(input, "fuzz.csv", schemas[data[0] & 7U]);
  if (outcome.counts.read != outcome.counts.accepted + outcome.counts.rejected) std::abort();
  for (const auto& error : outcome.errors) {
    if (error.byte_offset && *error.byte_offset > input.size()) std::abort();
  }
  for (const auto& record : outcome.records) (void)pse::adapters::to_json(record);
  return 0;
}

// CSV decode throughput (MB/s and records/s, one core) on a generated file shaped like a
// ministry's citizen export: 8 columns of mixed types (text, exact decimal, integer, date,
// boolean), about 90 bytes a record, some quoted fields with commas and doubled quotes.
// Meaningful only in a Release build: cmake --build build/tabular-rel --target adapters_csv_bench
#include "adapters/csv/csv_decoder.hpp"
#include "adapters/csv/csv_reader.hpp"

#include <benchmark/benchmark.h>

#include <random>

namespace pse::adapters::csv {
namespace {

constexpr int record_count = 200000;

CsvSchema citizen_schema(bool french) {
  CsvSchema schema;
  schema.delimiter = french ? ';' : ',';
  schema.header = true;
  const auto add = [&](const char* name, FieldType type, bool required) {
    FieldSpec spec;
    spec.name = name;
    spec.type = type;
    spec.required = required;
    if (french) spec.decimal_separator = ',';
    if (type == FieldType::decimal) spec.scale = 2;
    if (french && type == FieldType::date) spec.date_format = "%d/%m/%Y";
    schema.columns.push_back(spec);
  };
  add("nas", FieldType::string, true);
  add("nom", FieldType::string, true);
  add("prenom", FieldType::string, false);
  add("solde", FieldType::decimal, false);
  add("enfants", FieldType::integer, false);
  add("naissance", FieldType::date, false);
  add("actif", FieldType::boolean, false);
  add("code_postal", FieldType::string, false);
  return schema;
}

std::string generate(bool french) {
  std::mt19937 random(42);
  const auto number = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };
  static const char* const surnames[] = {"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin",
                                         "Lavoie", "Fortin", "Gagné", "Ouellet", "Pelletier"};
  static const char* const given[] = {"Marie", "Jean", "Léa", "Émile", "Olivier", "Chloé", "William", "Zoé"};
  const char d = french ? ';' : ',';
  const char point = french ? ',' : '.';
  std::string text = french ? "nas;nom;prenom;solde;enfants;naissance;actif;code_postal\r\n"
                            : "nas,nom,prenom,solde,enfants,naissance,actif,code_postal\r\n";
  char date[16];
  for (int i = 0; i < record_count; ++i) {
    text += std::to_string(100000000 + number(0, 899999999));
    text += d;
    const int kind = number(0, 19);
    if (kind == 0) {
      text += std::string("\"") + surnames[number(0, 11)] + d + " dit \"\"le Grand\"\"\"";
    } else {
      text += surnames[number(0, 11)];
    }
    text += d;
    text += given[number(0, 7)];
    text += d;
    text += std::to_string(number(0, 99999)) + point + std::to_string(number(10, 99));
    text += d;
    text += std::to_string(number(0, 6));
    text += d;
    if (french) {
      std::snprintf(date, sizeof date, "%02d/%02d/%04d", number(1, 28), number(1, 12), number(1920, 2020));
    } else {
      std::snprintf(date, sizeof date, "%04d-%02d-%02d", number(1920, 2020), number(1, 12), number(1, 28));
    }
    text += date;
    text += d;
    text += number(0, 1) == 0 ? "true" : "false";
    text += d;
    text += "H2X 1Y" + std::to_string(number(0, 9));
    text += "\r\n";
  }
  return text;
}

void decode(benchmark::State& state, bool french) {
  const std::string input = generate(french);
  const CsvSchema schema = citizen_schema(french);
  for (auto _ : state) {
    DecodeOutcome outcome = decode_csv(input, "bench.csv", schema);
    if (outcome.counts.accepted != record_count) state.SkipWithError("records were rejected");
    benchmark::DoNotOptimize(outcome.records.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * record_count);
  state.counters["file_MB"] = static_cast<double>(input.size()) / 1e6;
}

void BM_CsvDecodeRfc4180(benchmark::State& state) { decode(state, false); }
void BM_CsvDecodeFrench(benchmark::State& state) { decode(state, true); }

// The tokenizer alone: how much of the time is splitting, how much is typing the values.
void BM_CsvTokenizeOnly(benchmark::State& state) {
  const std::string input = generate(false);
  std::vector<CsvField> fields;
  for (auto _ : state) {
    CsvReader reader(input, ',');
    CsvSyntaxError error;
    std::size_t records = 0;
    while (reader.next(fields, error) == CsvReader::Step::record) ++records;
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * (record_count + 1));
}

BENCHMARK(BM_CsvDecodeRfc4180)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvDecodeFrench)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvTokenizeOnly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pse::adapters::csv

// pse-connector's two costs: building the index at start (records decoded, mapped to the
// classification's fields and indexed by subject, per second) and answering a request (one
// hash lookup and a copy of the requested fields, per second), on generated files shaped like
// the sample connectors': État civil's 180-byte EBCDIC birth records with packed decimals,
// and Services Québec's French-locale address CSV.
#include "adapters/codepage/code_page.hpp"
#include "adapters/connector/canonical_source.hpp"
#include "adapters/connector/field_mapping.hpp"
#include "adapters/connector/record_index.hpp"

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <random>

namespace pse::connector {
namespace {

constexpr int record_count = 200000;
const std::string kData = PSE_SOURCE_DIR "/config/connectors/data/";

std::string ebcdic(std::string_view text, std::size_t width) {
  std::string bytes;
  (void)legacy::append_from_utf8(legacy::CodePage::ebcdic_037, text, bytes);
  bytes.resize(width, '\x40');
  return bytes;
}

std::string packed(std::uint64_t value, std::size_t bytes, char sign) {
  std::string nibbles = std::to_string(value);
  nibbles.insert(0, bytes * 2 - 1 - nibbles.size(), '0');
  nibbles.push_back(sign);
  std::string out;
  for (std::size_t i = 0; i < nibbles.size(); i += 2) {
    const auto nibble = [](char c) { return c >= 'A' ? c - 'A' + 10 : c - '0'; };
    out.push_back(static_cast<char>(nibble(nibbles[i]) << 4 | nibble(nibbles[i + 1])));
  }
  return out;
}

static const char* const surnames[] = {"Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"};
static const char* const given[] = {"Marie", "Jean-François", "Léa", "Émile", "Olivier", "Chloé", "William", "Zoé"};
static const char* const places[] = {"Québec", "Montréal", "Chicoutimi", "Trois-Rivières", "Sherbrooke", "Rimouski"};

std::string subject(int i) {
  char text[16];
  std::snprintf(text, sizeof text, "QC-%08d", i);
  return text;
}

std::string births() {
  std::mt19937 random(42);
  std::string data;
  data.reserve(static_cast<std::size_t>(record_count) * 180);
  for (int i = 0; i < record_count; ++i) {
    const unsigned born = 19200101u + static_cast<unsigned>(random() % 100) * 10000u + static_cast<unsigned>(random() % 12) * 100u +
                          static_cast<unsigned>(random() % 28);
    data += ebcdic(subject(i), 12) + packed(static_cast<std::uint64_t>(i), 5, 'C') + ebcdic(surnames[random() % 8], 30) +
            ebcdic(given[random() % 8], 40) + ebcdic(random() % 2 ? "F" : "M", 1) + packed(born, 5, 'F') +
            ebcdic(places[random() % 6], 30) + ebcdic("Gagnon, Jeanne; Tremblay, Émile", 50) + ebcdic("", 7);
  }
  return data;
}

std::string addresses() {
  std::mt19937 random(7);
  std::string data = "no_sujet;adresse;ville;province;code_postal;date_effet\r\n";
  for (int i = 0; i < record_count; ++i) {
    data += subject(i) + ";" + std::to_string(random() % 9999) + ", rue des Érables;" + places[random() % 6] + ";QC;G1R 2S6;" +
            std::to_string(10 + random() % 18) + "/0" + std::to_string(1 + random() % 9) + "/2026\r\n";
  }
  return data;
}

FieldMapping field(std::string target, std::string source, bool date = false, std::string format = "%Y%m%d") {
  FieldMapping mapping;
  mapping.target = std::move(target);
  mapping.source = std::move(source);
  if (date) {
    adapters::FieldSpec spec;
    spec.name = mapping.target;
    spec.type = adapters::FieldType::date;
    spec.date_format = std::move(format);
    mapping.retype = spec;
  }
  return mapping;
}

struct BirthSource {
  RecordMapper mapper{"NO-SUJET", {field("surname", "NOM-FAMILLE"), field("given_names", "PRENOMS"), field("sex", "SEXE"),
                                   field("birth_date", "DATE-NAISSANCE", true), field("birth_place", "LIEU-NAISSANCE"),
                                   field("parents_names", "NOMS-PARENTS")}};
  std::unique_ptr<FileCodec> codec;
  std::string data = births();
  BirthSource() {
    SourceConfig source;
    source.type = SourceType::copybook;
    source.copybook = kData + "etat-civil-naissances.cpy";
    source.key = "NO-SUJET";
    codec = open_file_codec(source, mapper.source_fields());
  }
};

BirthSource& birth_source() {
  static BirthSource source;
  return source;
}

void BM_IndexEbcdicCopybook(benchmark::State& state) {
  BirthSource& source = birth_source();
  double heap_per_record = 0;
  for (auto _ : state) {
    const std::size_t heap_before = mallinfo2().uordblks;
    IndexBuild build = build_index(*source.codec, source.mapper, source.data, "births.dat");
    heap_per_record = static_cast<double>(mallinfo2().uordblks - heap_before) / record_count;
    if (!build.index || build.index->size() != record_count) state.SkipWithError("index incomplete");
    benchmark::DoNotOptimize(build.index);
  }
  // What the index keeps in memory: six mapped fields per record, with their keys.
  state.counters["heap_bytes_per_record"] = heap_per_record;
  state.SetItemsProcessed(state.iterations() * record_count);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.data.size()));
}
BENCHMARK(BM_IndexEbcdicCopybook)->Unit(benchmark::kMillisecond);

void BM_IndexFrenchCsv(benchmark::State& state) {
  RecordMapper mapper("no_sujet", {field("street_address", "adresse"), field("city", "ville"), field("province", "province"),
                                   field("postal_code", "code_postal"), field("effective_date", "date_effet")});
  SourceConfig source;
  source.type = SourceType::csv;
  source.schema = kData + "services-quebec-adresses.schema.yaml";
  source.key = "no_sujet";
  const auto codec = open_file_codec(source, mapper.source_fields());
  const std::string data = addresses();
  for (auto _ : state) {
    IndexBuild build = build_index(*codec, mapper, data, "adresses.csv");
    if (!build.index || build.index->size() != record_count) state.SkipWithError("index incomplete");
    benchmark::DoNotOptimize(build.index);
  }
  state.SetItemsProcessed(state.iterations() * record_count);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_IndexFrenchCsv)->Unit(benchmark::kMillisecond);

// One request: look the subject up and copy the three fields the rule permits.
void BM_LookupAndProject(benchmark::State& state) {
  BirthSource& source = birth_source();
  static const IndexBuild build = build_index(*source.codec, source.mapper, source.data, "births.dat");
  std::vector<std::string> keys;
  std::mt19937 random(1);
  for (int i = 0; i < 4096; ++i) keys.push_back(subject(static_cast<int>(random() % record_count)));
  const std::vector<std::string> fields = {"surname", "given_names", "birth_date"};
  std::size_t at = 0;
  for (auto _ : state) {
    const boost::json::object* record = build.index->find(keys[at++ & 4095]);
    boost::json::object answer = project(*record, fields);
    benchmark::DoNotOptimize(answer);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupAndProject);

}  // namespace
}  // namespace pse::connector

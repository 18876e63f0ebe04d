// Lookups by key through ODBC: PostgreSQL through psqlODBC, one indexed SELECT per lookup over
// 100,000 citizens, from 1 and from 4 threads sharing the source's pool of 4 connections. Each
// lookup is what one exchange costs the connector: take a connection, bind, execute, fetch and
// convert six columns, roll back. Run by bench/legacy-io (it starts the database).
#include "adapters/sql/odbc_source.hpp"
#include "bench_postgres.hpp"

#include <benchmark/benchmark.h>

#include <chrono>

namespace {

using namespace pse::adapters;
using namespace pse::adapters::sql;
using Clock = std::chrono::steady_clock;

constexpr int kCitizens = 100'000;

constexpr const char* kTable =
    "CREATE TABLE citoyen (nas VARCHAR(12) PRIMARY KEY, nom VARCHAR(40), prenom VARCHAR(40),"
    " date_naissance DATE, ville VARCHAR(40), solde NUMERIC(12, 2));"
    "INSERT INTO citoyen SELECT 'QC' || n, 'Tremblay-' || n, 'Élise', DATE '1950-01-01' + (n % 20000),"
    " 'Trois-Rivières', n / 100.0 FROM generate_series(0, 99999) AS n;"
    "ANALYZE citoyen;";

struct Fixture {
  std::unique_ptr<OdbcSource> source;
  std::string error;
};

SqlField field(const char* name, FieldType type) {
  SqlField result;
  result.spec.name = name;
  result.spec.type = type;
  result.column = name;
  return result;
}

Fixture make_fixture() {
  Fixture fixture;
  auto database = pse::bench::open_bench_database(fixture.error);
  if (!database) return fixture;
  auto admin = pse::PgConnection::connect(database->admin);
  if (!admin) return {nullptr, admin.error().message};
  if (auto filled = admin->execute_script(kTable); !filled) return {nullptr, filled.error().message};
  OdbcSourceConfig config;
  config.name = "citoyens.yaml";
  config.connection = database->odbc;
  config.password = database->password;
  config.query = "SELECT nom, prenom, date_naissance, ville, solde FROM citoyen WHERE nas = ?";
  config.fields = {field("nom", FieldType::string), field("prenom", FieldType::string),
                   field("date_naissance", FieldType::date), field("ville", FieldType::string),
                   field("solde", FieldType::decimal)};
  config.connections = 4;
  auto opened = OdbcSource::open(config);
  if (!opened) return {nullptr, opened.error().message};
  fixture.source = std::move(*opened);
  return fixture;
}

Fixture& fixture() {
  static Fixture shared = make_fixture();
  return shared;
}

void BM_OdbcLookupByKey(benchmark::State& state) {
  Fixture& shared = fixture();
  if (!shared.source) {
    state.SkipWithError(shared.error.c_str());
    return;
  }
  std::vector<double> micros;
  micros.reserve(1 << 18);
  std::uint64_t n = static_cast<std::uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    const std::string key = "QC" + std::to_string((n++ * 2654435761ULL) % kCitizens);
    const auto start = Clock::now();
    auto found = shared.source->lookup(key);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!found || found->records.size() != 1) {
      state.SkipWithError(found ? "a citizen was not found" : found.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["p50_us"] = benchmark::Counter(pse::bench::percentile(micros, 0.50), benchmark::Counter::kAvgThreads);
  state.counters["p99_us"] = benchmark::Counter(pse::bench::percentile(micros, 0.99), benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_OdbcLookupByKey)->Threads(1)->Threads(4)->UseRealTime()->MinTime(3);

}  // namespace

// Deliveries written into legacy targets, each durable before it would be acknowledged: a
// copybook file (EBCDIC, fixed records) and a CSV file, each record fdatasynced then entered in
// the SQLite ledger; a PostgreSQL table through psqlODBC, an upsert and its ledger row in one
// transaction. One writer, as in pse-connector (a subscriber's deliveries arrive in order).
// Files live in $PSE_BENCH_DIR (default /tmp: it must be a real disk, or fsync costs nothing);
// the table needs PSE_BENCH_PG_DIR. Run by bench/legacy-io.
#include "adapters/connector/delivery_target.hpp"
#include "bench_postgres.hpp"

#include <boost/json.hpp>
#include <benchmark/benchmark.h>
#include <pse/publish.hpp>

#include <chrono>
#include <fstream>

namespace pse::connector {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kDeathCopybook =
    "       01 DECES.\n"
    "          05 NO-SUJET     PIC X(12).\n"
    "          05 NOM-FAMILLE  PIC X(20).\n"
    "          05 PRENOM       PIC X(20).\n"
    "          05 DATE-DECES   PIC 9(8) COMP-3.\n"
    "          05 LIEU         PIC X(30).\n";

fs::path fresh_folder() {
  const char* base = std::getenv("PSE_BENCH_DIR");
  fs::path folder = fs::path(base != nullptr ? base : "/tmp") / ("pse-delivery-bench-" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

Delivery death(std::uint64_t n) {
  Delivery delivery;
  delivery.event_id = "evt-" + std::to_string(n);
  delivery.subject = "QC" + std::to_string(n % 10'000);
  delivery.category = "identity.death";
  delivery.purpose = "pension_termination";
  delivery.record = {{"surname", "Tremblay-Côté"}, {"given_names", "Élise"}, {"death_date", "2026-11-20"},
                     {"place", "Trois-Rivières"}};
  return delivery;
}

DeliverConfig death_config(TargetType type, const fs::path& folder) {
  DeliverConfig config;
  config.category = "identity.death";
  config.purpose = "pension_termination";
  config.type = type;
  config.copybook = folder / "deces.cpy";
  write_text(config.copybook, kDeathCopybook);
  config.copybook_options.code_page = legacy::CodePage::ebcdic_037;
  config.roll.folder = folder / "out";
  fs::create_directories(config.roll.folder);
  config.roll.prefix = "DECES";
  config.roll.extension = type == TargetType::csv ? ".csv" : ".dat";
  config.roll.max_records = 100'000;
  if (type == TargetType::copybook) {
    config.key = "NO-SUJET";
    config.fields = {{"surname", "NOM-FAMILLE", "", {}, 0}, {"given_names", "PRENOM", "", {}, 0},
                     {"death_date", "DATE-DECES", "%Y%m%d", {}, 0}, {"place", "LIEU", "", {}, 0}};
  } else {
    // CSV columns and table columns: the table's DATE column takes the date as received.
    config.key = "no_sujet";
    config.fields = {{"surname", "nom", "", {}, 0}, {"given_names", "prenom", "", {}, 0},
                     {"death_date", "date_deces", type == TargetType::csv ? "%Y%m%d" : "", {}, 0},
                     {"place", "lieu", "", {}, 0}};
  }
  config.file = folder / "connector.yaml";
  return config;
}

void run_writes(benchmark::State& state, DeliveryTarget& target) {
  std::vector<double> micros;
  micros.reserve(1 << 16);
  std::uint64_t n = 0;
  for (auto _ : state) {
    const Delivery delivery = death(n++);
    const auto start = Clock::now();
    auto written = target.write(delivery);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!written) {
      state.SkipWithError(written.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["p50_us"] = pse::bench::percentile(micros, 0.50);
  state.counters["p99_us"] = pse::bench::percentile(micros, 0.99);
}

void BM_DeliveryIntoCopybookFile(benchmark::State& state) {
  const fs::path folder = fresh_folder();
  {
    const DeliverConfig config = death_config(TargetType::copybook, folder);
    DeliveryTarget target(config);
    run_writes(state, target);
  }
  fs::remove_all(folder);
}
BENCHMARK(BM_DeliveryIntoCopybookFile)->UseRealTime()->MinTime(3);

void BM_DeliveryIntoCsvFile(benchmark::State& state) {
  const fs::path folder = fresh_folder();
  {
    const DeliverConfig config = death_config(TargetType::csv, folder);
    DeliveryTarget target(config);
    run_writes(state, target);
  }
  fs::remove_all(folder);
}
BENCHMARK(BM_DeliveryIntoCsvFile)->UseRealTime()->MinTime(3);

void BM_DeliveryIntoTable(benchmark::State& state) {
  std::string why_not;
  auto database = pse::bench::open_bench_database(why_not);
  if (!database) {
    state.SkipWithError(why_not.c_str());
    return;
  }
  auto admin = PgConnection::connect(database->admin);
  if (!admin || !admin->execute_script(
                    "CREATE TABLE deces_recus (no_sujet VARCHAR(20) PRIMARY KEY, nom VARCHAR(40), prenom VARCHAR(40),"
                    " date_deces DATE, lieu VARCHAR(40));"
                    "CREATE TABLE pse_deliveries (event_id VARCHAR(200) PRIMARY KEY, delivered_at VARCHAR(40) NOT NULL);")) {
    state.SkipWithError("cannot create the tables");
    return;
  }
  const fs::path folder = fresh_folder();
  {
    DeliverConfig config = death_config(TargetType::odbc, folder);
    config.schema = folder / "deces.odbc.yaml";
    write_text(config.schema, "connection: \"" + database->odbc + "\"\npassword_file: " + database->password_file +
                                  "\ntable: deces_recus\nkey_column: no_sujet\n");
    DeliveryTarget target(config);
    run_writes(state, target);
  }
  fs::remove_all(folder);
}
BENCHMARK(BM_DeliveryIntoTable)->UseRealTime()->MinTime(3);

}  // namespace
}  // namespace pse::connector

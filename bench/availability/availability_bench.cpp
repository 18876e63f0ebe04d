// pse-bench-availability — a category rated high for availability under a flood of requests
// in one rated low, against a provider that stalls on the low one (bench/availability).
//
//   pse-bench-availability CA_DIR HOST PORT [SECONDS [FLOOD [STALL_MS]]]
//
// CA_DIR holds ca.crt and orgs/<org>.crt|.key (a pse-pki directory). Connects État civil's
// provider (one connection, max_in_flight 64): identity.death (D2) is answered at once,
// identity.birth (D1) after STALL_MS (default 2000) — a registry that has stalled. RAMQ then
// asks for death records one at a time for SECONDS (default 10) alone, then again while FLOOD
// (default 256) loops ask for birth records without pause. Prints, for both runs, the death
// records' p50, p99, max and errors by reason, and what the flood got.
#include <pse/client.hpp>
#include <pse/provider.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  std::vector<double> ms;
  std::map<std::string, int> errors;
};

pse::ExchangeRequest request_for(const std::string& category, const std::string& purpose, long n) {
  pse::ExchangeRequest request;
  request.subject = "QC-AVAIL-" + std::to_string(n % 1000);
  request.provider = "etat-civil";
  request.category = category;
  request.purpose = purpose;
  return request;
}

Run ask_for_deaths(pse::Client& client, std::chrono::seconds duration) {
  Run run;
  const auto until = Clock::now() + duration;
  for (long n = 0; Clock::now() < until; ++n) {
    const auto asked = Clock::now();
    auto answer = client.exchange(request_for("identity.death", "health_insurance_termination", n));
    if (answer) {
      run.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - asked).count());
    } else {
      ++run.errors[std::string(pse::to_string(answer.error().reason))];
    }
  }
  return run;
}

void report(const char* name, Run run) {
  std::sort(run.ms.begin(), run.ms.end());
  auto at = [&](double p) { return run.ms.empty() ? 0.0 : run.ms[static_cast<std::size_t>(p * static_cast<double>(run.ms.size() - 1))]; };
  std::printf("%-22s %6zu answered  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  errors:", name, run.ms.size(), at(0.5),
              at(0.99), run.ms.empty() ? 0.0 : run.ms.back());
  if (run.errors.empty()) std::printf(" none");
  for (const auto& [reason, count] : run.errors) std::printf(" %s %d", reason.c_str(), count);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: pse-bench-availability CA_DIR HOST PORT [SECONDS [FLOOD [STALL_MS]]]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto seconds = std::chrono::seconds(argc > 4 ? std::stoi(argv[4]) : 10);
  const int flood = argc > 5 ? std::stoi(argv[5]) : 256;
  const auto stall = std::chrono::milliseconds(argc > 6 ? std::stoi(argv[6]) : 2000);
  auto options_for = [&](const std::string& org) {
    pse::ClientOptions options;
    options.ca_file = dir + "/ca.crt";
    options.certificate_file = dir + "/orgs/" + org + ".crt";
    options.key_file = dir + "/orgs/" + org + ".key";
    options.host = argv[2];
    options.port = static_cast<std::uint16_t>(std::stoul(argv[3]));
    options.server_name = "localhost";
    // Set by bench/lib/hub.sh: État civil's categories are signed ones.
    if (const char* signing_key = std::getenv("PSE_BENCH_SIGNING_KEY")) options.signing_key_file = signing_key;
    return options;
  };

  pse::ProviderOptions provider_options;
  provider_options.max_in_flight = 64;
  provider_options.handler_threads = 64;  // a stalled birth record holds its thread, not the others
  pse::Provider etat_civil(options_for("etat-civil"), provider_options);
  etat_civil.serve({"identity.birth", "identity.death"}, [stall](const pse::ProviderRequest& request) -> pse::Result<boost::json::object> {
    if (request.category == "identity.birth") std::this_thread::sleep_for(stall);
    boost::json::object record;
    for (const auto& field : request.fields) record[field] = "x";
    return record;
  });
  if (auto started = etat_civil.start(); !started || !etat_civil.wait_ready(std::chrono::seconds(10))) {
    std::fprintf(stderr, "pse-bench-availability: the provider could not connect\n");
    return 1;
  }

  pse::ClientOptions ramq_options = options_for("ramq");
  ramq_options.max_connections = 1;
  pse::Client deaths(ramq_options);
  report("identity.death alone", ask_for_deaths(deaths, seconds));

  pse::ClientOptions flood_options = options_for("ramq");
  flood_options.max_connections = static_cast<std::size_t>(flood);
  pse::Client births(flood_options);
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<std::string, int> flood_outcomes;
  std::vector<std::thread> loops;
  for (int i = 0; i < flood; ++i) {
    loops.emplace_back([&, i] {
      for (long n = i; !stop; n += flood) {
        auto answer = births.exchange(request_for("identity.birth", "health_insurance_registration", n));
        std::lock_guard lock(mutex);
        ++flood_outcomes[answer ? "answered" : std::string(pse::to_string(answer.error().reason))];
      }
    });
  }
  std::this_thread::sleep_for(stall);  // the flood has filled what it may
  report("identity.death flooded", ask_for_deaths(deaths, seconds));
  stop = true;
  for (auto& loop : loops) loop.join();
  std::printf("the identity.birth flood (%d loops):", flood);
  for (const auto& [outcome, count] : flood_outcomes) std::printf(" %s %d", outcome.c_str(), count);
  std::printf("\n");
  etat_civil.stop();
  return 0;
}

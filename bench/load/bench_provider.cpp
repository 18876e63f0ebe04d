// pse-bench-provider — the provider side of the benchmark: serves identity.birth with a record
// of about 1 KiB (the same for every subject) until SIGINT or SIGTERM. Prints "ready" once the
// broker has accepted it, so that bench/compare knows when to start.
//
//   pse-bench-provider CA_FILE CERT_FILE KEY_FILE HOST PORT [RECORD_BYTES [CONNECTIONS]]
//
// RECORD_BYTES (default 1024, at least 100) sets the size of the record's JSON, for the cost
// curve against record size (bench/curves): below 1 KiB the fields get short values.
// CONNECTIONS (default 2, at most 16): connector connections to the broker, each with its own
// thread; the broker shares requests between them. One connection is one strand on each side,
// which caps the exchange rate (bench/RESULTS.md); nginx likewise keeps several upstream
// connections.
#include <pse/provider.hpp>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

// Six fields whose JSON is about `bytes` long; parents_names carries the padding. ASCII
// without quotes on purpose: bench/compare pastes a real answer into nginx's configuration.
boost::json::object make_record(std::size_t bytes) {
  const bool short_values = bytes < 1024;
  boost::json::object record;
  record["surname"] = short_values ? "T" : "Tremblay";
  record["given_names"] = short_values ? "M" : "Marie Josephine Therese";
  record["sex"] = "F";
  record["birth_date"] = "1957-03-14";
  record["birth_place"] = short_values ? "C" : "Chicoutimi, Saguenay-Lac-Saint-Jean, Quebec, Canada";
  // The record without parents_names is serialised once; the key and quotes add about 20.
  const std::size_t rest = boost::json::serialize(record).size() + 20;
  std::string parents = short_values ? "P" : "Jean-Baptiste Tremblay and Marguerite Gagnon";
  const std::string chunk = "; padding for a 1 KiB record";
  if (bytes == 1024) {
    while (rest + parents.size() < 1024) parents += chunk;  // the record bench/compare always used
  } else {
    while (rest + parents.size() + chunk.size() <= bytes) parents += chunk;
    if (rest + parents.size() < bytes) parents.append(bytes - rest - parents.size(), '.');
  }
  record["parents_names"] = parents;
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6 || argc > 8) {
    std::cerr << "usage: pse-bench-provider CA_FILE CERT_FILE KEY_FILE HOST PORT [RECORD_BYTES [CONNECTIONS]]\n"
                 "(environment: PSE_BENCH_SIGNING_KEY, the signing key file, for categories that require signatures)\n";
    return 2;
  }
  std::size_t connections = 2;
  if (argc == 8) {
    char* end = nullptr;
    const unsigned long parsed = std::strtoul(argv[7], &end, 10);
    if (end == argv[7] || *end != '\0' || parsed < 1 || parsed > 16) {
      std::cerr << "pse-bench-provider: CONNECTIONS must be a number from 1 to 16\n";
      return 2;
    }
    connections = parsed;
  }
  std::size_t record_bytes = 1024;
  if (argc >= 7) {
    char* end = nullptr;
    const unsigned long long parsed = std::strtoull(argv[6], &end, 10);
    if (end == argv[6] || *end != '\0' || parsed < 100 || parsed > 64ULL * 1024 * 1024) {
      std::cerr << "pse-bench-provider: RECORD_BYTES must be a number of bytes from 100 to 64 MiB\n";
      return 2;
    }
    record_bytes = static_cast<std::size_t>(parsed);
  }
  pse::ClientOptions options;
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  options.host = argv[4];
  options.server_name = "localhost";
  options.port = static_cast<std::uint16_t>(std::stoul(argv[5]));
  // Set by bench/lib/hub.sh: identity.birth is a signed category unless the bench runs unsigned.
  if (const char* signing_key = std::getenv("PSE_BENCH_SIGNING_KEY")) options.signing_key_file = signing_key;
  // The broker may send this many requests before answers come back: above the load's 64
  // connections, so that the provider never makes the broker answer `overloaded`.
  pse::ProviderOptions provider_options;
  provider_options.max_in_flight = 1024;
  // The record comes from memory and the handler never blocks: it runs on the connection's
  // thread, as nginx answers its static record, with no hand-off to a pool and back.
  provider_options.handler_threads = 0;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    const boost::json::object full_record = make_record(record_bytes);
    std::vector<std::unique_ptr<pse::Provider>> providers;
    for (std::size_t i = 0; i < connections; ++i) {
      auto& provider = *providers.emplace_back(std::make_unique<pse::Provider>(options, provider_options));
      provider.serve({"identity.birth"}, [&full_record](const pse::ProviderRequest& request) -> pse::Result<boost::json::object> {
        boost::json::object record;
        for (const auto& field : request.fields) {
          if (const auto* value = full_record.if_contains(field)) record[field] = *value;
        }
        return record;
      });
      if (auto started = provider.start(); !started) {
        std::cerr << "pse-bench-provider: " << started.error().message << "\n";
        return 1;
      }
      if (auto ready = provider.wait_ready(std::chrono::seconds(10)); !ready) {
        std::cerr << "pse-bench-provider: not ready: " << pse::to_string(ready.error().reason) << " — "
                  << ready.error().message << "\n";
        return 1;
      }
    }
    std::cout << "ready" << std::endl;
    int signal = 0;
    sigwait(&signals, &signal);
    for (auto& provider : providers) provider->stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "pse-bench-provider: " << error.what() << "\n";
    return 2;
  }
}

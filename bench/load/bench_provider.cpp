// pse-bench-provider — the provider side of the benchmark: serves identity.birth with a record
// of about 1 KiB (the same for every subject) until SIGINT or SIGTERM. Prints "ready" once the
// broker has accepted it, so that bench/compare knows when to start.
//
//   pse-bench-provider CA_FILE CERT_FILE KEY_FILE HOST PORT
#include <pse/provider.hpp>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

namespace {

// Six fields whose JSON is about 1 KiB; parents_names carries the padding. ASCII without
// quotes on purpose: bench/compare pastes a real answer into nginx's configuration.
boost::json::object make_record() {
  boost::json::object record;
  record["surname"] = "Tremblay";
  record["given_names"] = "Marie Josephine Therese";
  record["sex"] = "F";
  record["birth_date"] = "1957-03-14";
  record["birth_place"] = "Chicoutimi, Saguenay-Lac-Saint-Jean, Quebec, Canada";
  std::string parents = "Jean-Baptiste Tremblay and Marguerite Gagnon";
  while (boost::json::serialize(record).size() + parents.size() + 20 < 1024) parents += "; padding for a 1 KiB record";
  record["parents_names"] = parents;
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: pse-bench-provider CA_FILE CERT_FILE KEY_FILE HOST PORT\n";
    return 2;
  }
  pse::ClientOptions options;
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  options.host = argv[4];
  options.server_name = "localhost";
  options.port = static_cast<std::uint16_t>(std::stoul(argv[5]));
  // The broker may send this many requests before answers come back: above the load's 64
  // connections, so that the provider never makes the broker answer `overloaded`.
  pse::ProviderOptions provider_options;
  provider_options.max_in_flight = 1024;
  provider_options.handler_threads = 2;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    const boost::json::object full_record = make_record();
    pse::Provider provider(options, provider_options);
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
    std::cout << "ready" << std::endl;
    int signal = 0;
    sigwait(&signals, &signal);
    provider.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "pse-bench-provider: " << error.what() << "\n";
    return 2;
  }
}

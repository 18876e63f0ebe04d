// provider — serves identity.birth from an in-memory table until SIGINT or SIGTERM.
//
//   provider CA_FILE CERT_FILE KEY_FILE [HOST [PORT [SIGNING_KEY_FILE]]]
//   provider ca.crt orgs/etat-civil.crt orgs/etat-civil.key localhost 8443 orgs/etat-civil.sign.key
//
// identity.birth is rated integrity "élevé": where the classification requires signed records
// from that level, the broker refuses an unsigned birth record, so give the signing key.
#include <pse/provider.hpp>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: provider CA_FILE CERT_FILE KEY_FILE [HOST [PORT [SIGNING_KEY_FILE]]]\n";
    return 2;
  }
  pse::ClientOptions options;
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  if (argc > 4) options.host = argv[4];
  if (argc > 5) options.port = static_cast<std::uint16_t>(std::stoul(argv[5]));
  if (argc > 6) options.signing_key_file = argv[6];  // the SDK signs each record with it when asked

  // The legacy system, for the example: subject → birth record.
  const std::map<std::string, boost::json::object> births = {
      {"QC-1957-0042",
       {{"surname", "Tremblay"}, {"given_names", "Marie"}, {"birth_date", "1957-03-14"}, {"birth_place", "Chicoutimi"}}},
      {"QC-1962-0007",
       {{"surname", "Gagnon"}, {"given_names", "Louis"}, {"birth_date", "1962-11-02"}, {"birth_place", "Québec"}}},
  };

  // Signals are waited for by sigwait below, not delivered to a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    pse::Provider provider(options);
    provider.serve({"identity.birth"}, [&births](const pse::ProviderRequest& request) -> pse::Result<boost::json::object> {
      const auto found = births.find(request.subject);
      if (found == births.end()) return pse::make_error(pse::Reason::record_not_found);
      // Return only what the consumer may receive.
      boost::json::object record;
      for (const auto& field : request.fields) {
        if (const auto* value = found->second.if_contains(field)) record[field] = *value;
      }
      std::cout << request.consumer << " asked for " << request.subject << " (" << request.purpose << ")\n";
      return record;
    });
    if (auto started = provider.start(); !started) {
      std::cerr << "provider: " << started.error().message << "\n";
      return 1;
    }
    if (auto ready = provider.wait_ready(std::chrono::seconds(10)); ready) {
      std::cout << "serving identity.birth\n";
    } else if (ready.error().reason != pse::Reason::provider_unavailable) {
      std::cerr << "provider refused: " << pse::to_string(ready.error().reason) << " — " << ready.error().message << "\n";
      return 1;
    } else {
      std::cerr << "provider: not connected yet (" << ready.error().message << "), retrying in the background\n";
    }
    int signal = 0;
    sigwait(&signals, &signal);
    provider.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "provider: " << error.what() << "\n";
    return 2;
  }
}

// subscriber — receives the events of one category and prints them, until SIGINT or SIGTERM.
//
//   subscriber CA_FILE CERT_FILE KEY_FILE CATEGORY PURPOSE [HOST [PORT [SIGNING_KEYS_DIR]]]
//   subscriber ca.crt orgs/ramq.crt orgs/ramq.key identity.death health_insurance_termination
//
// With SIGNING_KEYS_DIR (the publishers' public keys as the platform distributes them), each
// signed event is verified before it is printed, with the number of fields it proves.
//
// Each delivery is acknowledged once printed (the handler returns Done). A real subscriber
// stores it first, and ignores an event_id it has already processed: delivery is at least once.
#include <pse/provider.hpp>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <mutex>
#include <string>

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: subscriber CA_FILE CERT_FILE KEY_FILE CATEGORY PURPOSE [HOST [PORT [SIGNING_KEYS_DIR]]]\n";
    return 2;
  }
  pse::ClientOptions options;
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  if (argc > 6) options.host = argv[6];
  if (argc > 7) options.port = static_cast<std::uint16_t>(std::stoul(argv[7]));
  if (argc > 8) options.signing_keys_dir = argv[8];

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    std::mutex output;
    pse::Provider subscriber(options);
    subscriber.subscribe({{argv[4], argv[5]}}, [&output](const pse::Delivery& delivery) -> pse::Status {
      std::lock_guard lock(output);
      std::cout << delivery.category << " from " << delivery.publisher << " about " << delivery.subject << ": "
                << boost::json::serialize(delivery.record) << " (" << delivery.event_id << ", attempt "
                << delivery.attempt << ")";
      if (delivery.proof) std::cout << ", " << delivery.proof->disclosures.size() << " fields signed by " << delivery.publisher;
      std::cout << std::endl;
      return pse::Done{};
    });
    if (auto started = subscriber.start(); !started) {
      std::cerr << "subscriber: " << started.error().message << "\n";
      return 1;
    }
    if (auto ready = subscriber.wait_ready(std::chrono::seconds(10)); ready) {
      std::cout << "subscribed to " << argv[4] << " for " << argv[5] << std::endl;
    } else if (ready.error().reason != pse::Reason::provider_unavailable) {
      std::cerr << "subscription refused: " << pse::to_string(ready.error().reason) << " — " << ready.error().message
                << "\n";
      return 1;
    }
    int signal = 0;
    sigwait(&signals, &signal);
    subscriber.stop();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "subscriber: " << error.what() << "\n";
    return 1;
  }
}

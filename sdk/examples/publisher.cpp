// publisher — publishes one event, signed with the organisation's key, and prints the broker's
// answer: the event id and whether the idempotency key had been seen already.
//
//   publisher CA_FILE CERT_FILE KEY_FILE SIGNING_KEY_FILE EVENT_JSON [HOST [PORT]]
//   publisher ca.crt orgs/etat-civil.crt orgs/etat-civil.key orgs/etat-civil.sign.key \
//     '{"category": "identity.death", "subject": "QC-1931-0007", "idempotency_key": "deces-1",
//       "record": {"surname": "Gagnon", "death_date": "2026-11-20"}}'
//
// The SDK signs every field of the record (a category rated high for integrity requires it:
// the broker refuses an unsigned event integrity_failed), and retries a publish whose answer
// was lost under the same idempotency key, which the broker recognises.
#include <pse/client.hpp>

#include <boost/json.hpp>

#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: publisher CA_FILE CERT_FILE KEY_FILE SIGNING_KEY_FILE EVENT_JSON [HOST [PORT]]\n";
    return 2;
  }
  pse::ClientOptions options;
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  options.signing_key_file = argv[4];
  if (argc > 6) options.host = argv[6];
  if (argc > 7) options.port = static_cast<std::uint16_t>(std::stoul(argv[7]));

  try {
    const boost::json::object event = boost::json::parse(argv[5]).as_object();
    pse::PublishRequest request;
    request.category = std::string(event.at("category").as_string());
    request.subject = std::string(event.at("subject").as_string());
    request.idempotency_key = std::string(event.at("idempotency_key").as_string());
    request.record = event.at("record").as_object();

    pse::Client client(options);
    auto answer = client.publish(request);
    if (!answer) {
      std::cout << "refused: " << pse::to_string(answer.error().reason) << " — " << answer.error().message << "\n";
      return 1;
    }
    std::cout << boost::json::serialize(boost::json::object{{"event_id", answer->event_id},
                                                            {"duplicate", answer->duplicate}})
              << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "publisher: " << error.what() << "\n";
    return 2;
  }
}

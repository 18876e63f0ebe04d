// consumer — asks the broker for one birth record and prints it, or the reason it was refused.
//
//   consumer CA_FILE CERT_FILE KEY_FILE SUBJECT [HOST [PORT [SIGNING_KEYS_DIR]]]
//   consumer ca.crt orgs/retraite-quebec.crt orgs/retraite-quebec.key QC-1957-0042 localhost 8443 keys/signing
//
// With SIGNING_KEYS_DIR (the providers' public keys as the platform distributes them), a signed
// record is verified against État civil's key and the fields it proves are printed.
#include <pse/client.hpp>

#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: consumer CA_FILE CERT_FILE KEY_FILE SUBJECT [HOST [PORT [SIGNING_KEYS_DIR]]]\n";
    return 2;
  }
  pse::ClientOptions options;
  options.ca_file = argv[1];
  options.certificate_file = argv[2];
  options.key_file = argv[3];
  if (argc > 5) options.host = argv[5];
  if (argc > 6) options.port = static_cast<std::uint16_t>(std::stoul(argv[6]));
  if (argc > 7) options.signing_keys_dir = argv[7];

  try {
    pse::Client client(options);  // throws only when a PEM file cannot be used

    pse::ExchangeRequest request;
    request.subject = argv[4];
    request.provider = "etat-civil";
    request.category = "identity.birth";
    request.purpose = "pension_eligibility";
    request.fields = {"surname", "given_names", "birth_date"};

    pse::Result<pse::ExchangeResponse> answer = client.exchange(request);
    if (!answer) {
      std::cout << "refused: " << pse::to_string(answer.error().reason) << " — " << answer.error().message << "\n";
      return 1;
    }
    std::cout << "request " << answer->request_id << " (rule " << answer->rule_id << ", " << answer->basis.type << " "
              << answer->basis.reference << ", audit #" << answer->audit_seq << ")\n"
              << boost::json::serialize(answer->record) << "\n";
    for (const auto& refused : answer->refused_fields) std::cout << "not given: " << refused.name << " (" << refused.code << ")\n";
    for (const auto& obligation : answer->obligations) std::cout << "obligation: " << obligation << "\n";
    if (answer->proof) {
      std::cout << "signed by " << request.provider << ": " << answer->proof->disclosures.size()
                << " fields proven unaltered since they left it\n";
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "consumer: " << error.what() << "\n";
    return 2;
  }
}

// Test helper: grants one consent in a fresh registry under DIR and writes DIR/receipt.jws,
// with the keys in DIR/keys (for the pse-receipt command test).
#include "audit/audit_keys.hpp"
#include "broker/consent/consent_registry.hpp"
#include "broker/consent/sqlite_consent_store.hpp"

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::filesystem::path dir = argv[1];
  using namespace pse;
  audit::write_new_key_files(dir / "keys");
  consent::ConsentRegistry registry(std::make_unique<consent::SqliteConsentStore>(dir / "consents.db"),
                                    audit::load_subject_hash_key(dir / "keys" / audit::subject_key_file),
                                    audit::load_signing_key(dir / "keys" / audit::signing_key_file),
                                    consent::Vocabulary{[](std::string_view) { return true; },
                                                        [](std::string_view) { return true; }});
  consent::GrantRequest request;
  request.subject_id = "QC-1957-0042";
  request.provider = "etat-civil";
  request.consumer = "retraite-quebec";
  request.categories = {"identity.birth"};
  request.purpose = {"pension_eligibility", "Admissibilité à la rente", "Pension eligibility"};
  request.notice = {"AVIS-RQ-2026-03", "1.2", "fr"};
  request.collection_method = "web-form";
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  request.expires_at = now + std::chrono::days(30);
  auto granted = registry.grant(request, "services-quebec", now);
  if (!granted) {
    std::cerr << granted.error().message << "\n";
    return 1;
  }
  std::ofstream(dir / "receipt.jws") << granted->receipt << "\n";
  return 0;
}

// pse-feedback keygen and issue-link: the link-signing key, and one-time links for a body.
#include "cli.hpp"
#include "link_token.hpp"

#include <chrono>
#include <iostream>

namespace pse::feedback::cli {
namespace {

const char* const kKeygenHelp = R"(usage: pse-feedback keygen --config FILE

Creates the link-signing key (an Ed25519 seed, 64 hex digits) at the configuration's
signing_key path, mode 600. Refuses to overwrite an existing key: every link issued with it
would stop working.
)";

const char* const kIssueHelp = R"(usage: pse-feedback issue-link --config FILE --service ID --transaction ID [--valid-days N]

Prints a one-time feedback link for a citizen who has just completed TRANSACTION with
SERVICE (a service id of services.yaml). The body that owns the service hands it to the
citizen (receipt page, email). One answer per transaction; the link expires after N days
(default: links.valid_days of the configuration).

  --transaction ID   1-64 of A-Z a-z 0-9 . _ : -   (never a citizen's identifier)
)";

}  // namespace

int keygen_command(const std::vector<std::string>& args) {
  std::string error;
  auto arguments = parse_arguments(args, {"config"}, error);
  if (!arguments) return usage_error("keygen", error);
  if (arguments->help) {
    std::cout << kKeygenHelp;
    return kOk;
  }
  const FeedbackConfig config = load_config(*arguments);
  if (const std::string failed = LinkSigner::generate_key_file(config.signing_key); !failed.empty()) {
    std::cerr << "pse-feedback: error: " << failed << "\n";
    return kFailure;
  }
  std::cout << "created " << config.signing_key.string() << " (mode 600)\n";
  return kOk;
}

int issue_link_command(const std::vector<std::string>& args) {
  std::string error;
  auto arguments = parse_arguments(args, {"config", "service", "transaction", "valid-days"}, error);
  if (!arguments) return usage_error("issue-link", error);
  if (arguments->help) {
    std::cout << kIssueHelp;
    return kOk;
  }
  const auto service = arguments->get("service");
  const auto transaction = arguments->get("transaction");
  if (!service || !transaction) return usage_error("issue-link", "--service and --transaction are required");
  const FeedbackConfig config = load_config(*arguments);
  const ServiceCatalog services = ServiceCatalog::load(config.services);
  if (services.find(*service) == nullptr) {
    return usage_error("issue-link", "unknown service '" + *service + "' (not in " + config.services.string() + ")");
  }
  if (!valid_transaction_id(*transaction)) {
    return usage_error("issue-link", "--transaction must be 1-64 of A-Z a-z 0-9 . _ : -");
  }
  int days = config.link_valid_days;
  if (const auto text = arguments->get("valid-days")) {
    try {
      days = std::stoi(*text);
    } catch (const std::exception&) {
      days = 0;
    }
    if (days < 1 || days > 366) return usage_error("issue-link", "--valid-days must be 1 to 366");
  }
  auto signer = LinkSigner::load(config.signing_key);
  if (!signer) {
    std::cerr << "pse-feedback: error: " << signer.error() << "\n";
    return kUsage;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string token = signer->issue({*service, *transaction, now + std::int64_t{days} * 86400});
  std::cout << config.public_url << "/f/" << token << "\n";
  return kOk;
}

}  // namespace pse::feedback::cli

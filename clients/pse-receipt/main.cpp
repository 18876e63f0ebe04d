// pse-receipt: checks a consent receipt offline, as a citizen or an auditor would.
//
//   pse-receipt verify --key audit-signing.pub [FILE|-]
//
// Prints the receipt's JSON when the platform's signature is valid (exit 0), says why not
// otherwise (exit 1). Usage errors and unreadable keys exit 2.
#include "base/config_error.hpp"
#include "audit/audit_keys.hpp"
#include "broker/consent/receipt.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

namespace {

constexpr const char* kUsage = R"(usage: pse-receipt verify --key PUBLIC_KEY_FILE [RECEIPT_FILE|-]

Checks a PSE consent receipt (a compact JWS signed with the platform's Ed25519 key) and prints
its JSON content when the signature is valid. The receipt is read from RECEIPT_FILE, or from
standard input when it is "-" or absent. PUBLIC_KEY_FILE is the platform's audit-signing.pub.

exit codes: 0 valid, 1 invalid or altered, 2 usage error or unreadable key.
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pse-receipt: %s\n%s", message.c_str(), kUsage);
  return 2;
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc < 2 || std::string(argv[1]) != "verify") return usage_error("the only command is 'verify'");
  std::optional<std::string> key_file;
  std::string receipt_file = "-";
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--key") {
      if (i + 1 >= argc) return usage_error("--key needs a file");
      key_file = argv[++i];
    } else if (arg.starts_with("--")) {
      return usage_error("unknown option '" + arg + "'");
    } else {
      receipt_file = arg;
    }
  }
  if (!key_file) return usage_error("--key is required");

  pse::audit::PublicKey key;
  try {
    key = pse::audit::load_public_key(*key_file);
  } catch (const pse::ConfigError& e) {
    std::fprintf(stderr, "pse-receipt: %s\n", e.what());
    return 2;
  }
  std::stringstream text;
  if (receipt_file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(receipt_file);
    if (!in) {
      std::fprintf(stderr, "pse-receipt: cannot read %s\n", receipt_file.c_str());
      return 2;
    }
    text << in.rdbuf();
  }
  auto payload = pse::consent::verify_receipt(trim(text.str()), key);
  if (!payload) {
    std::fprintf(stderr, "pse-receipt: INVALID — not a receipt signed by this key, or altered since\n");
    return 1;
  }
  std::printf("%s\n", payload->c_str());
  std::fprintf(stderr, "pse-receipt: valid signature by key %s\n", pse::audit::key_id(key).c_str());
  return 0;
}

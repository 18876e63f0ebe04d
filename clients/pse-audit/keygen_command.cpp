// pse-audit keygen: the audit log's keys, generated on the machine that will use them.
#include "audit/audit_keys.hpp"
#include "clients/pse-audit/arguments.hpp"
#include "clients/pse-audit/commands.hpp"

#include <iostream>

namespace pse::audit_cli {

namespace {
constexpr const char* help = R"(usage: pse-audit keygen --dir DIR

Writes, in DIR (created if missing):
  audit-signing.key   Ed25519 secret key that signs tree heads (hex, mode 600)
  audit-signing.pub   its public key, for whoever verifies the log or a proof
  subject-hash.key    32 random bytes keying the subject hash (hex, mode 600)

Refuses (exit 2) when any of them exists: a replaced key would orphan the log's signatures
or make past entries unsearchable by subject. Keep the secret files out of version control.
)";
}  // namespace

int run_keygen(const CommandArguments& raw) {
  const Arguments args(raw, {"dir"}, {});
  if (args.help()) {
    std::cout << help;
    return 0;
  }
  const std::filesystem::path dir = args.required("dir");
  audit::write_new_key_files(dir);
  std::cout << "wrote " << (dir / audit::signing_key_file).string() << ", "
            << (dir / audit::public_key_file).string() << " and " << (dir / audit::subject_key_file).string()
            << "\n";
  return 0;
}

}  // namespace pse::audit_cli

// pse-audit — the privacy officer's tool over the audit log: verify that it has not been
// altered, query it, produce a citizen's register of communications, prove an entry.
// Read-only on the store; never needs the broker running.
#include "base/config_error.hpp"
#include "clients/pse-audit/arguments.hpp"
#include "clients/pse-audit/commands.hpp"

#include <cstring>
#include <iostream>
#include <map>
#include <string>

namespace {

constexpr const char* usage = R"(usage: pse-audit COMMAND [OPTIONS]

Commands:
  keygen       create the audit signing key and the subject hash key
  verify       check that the log has not been altered (exit 1 if it has)
  head         print the latest signed tree head, to keep elsewhere
  query        list entries by subject, organisation, category, decision, period
  report       a citizen's register of communications (French by default)
  prove        print an inclusion proof of one entry
  check-proof  check an inclusion proof against the public key
  stats        counts by decision, reason, consumer and provider

Every command but keygen and check-proof reads the log named by --db: a SQLite file
(data_dir/audit.db), or the hub's PostgreSQL as a connection string (postgresql://user@host/db
or "host=… dbname=… user=…"), with --password-file FILE (chmod 600) or libpq's PGPASSFILE.

Run `pse-audit COMMAND --help` for the options of a command.
Exit codes: 0 ok, 1 verification failed, 2 usage or configuration error.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace pse::audit_cli;
  const std::map<std::string, int (*)(const CommandArguments&)> commands = {
      {"keygen", run_keygen}, {"verify", run_verify},         {"head", run_head},   {"query", run_query},
      {"report", run_report}, {"prove", run_prove}, {"check-proof", run_check_proof}, {"stats", run_stats},
  };
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    std::cout << usage;
    return 0;
  }
  const auto command = commands.find(name);
  if (command == commands.end()) {
    std::cerr << "pse-audit: unknown command '" << name << "'\n\n" << usage;
    return 2;
  }
  try {
    return command->second(CommandArguments(argv + 2, argv + argc));
  } catch (const UsageError& e) {
    std::cerr << "pse-audit " << name << ": " << e.what() << "\n(see pse-audit " << name << " --help)\n";
    return 2;
  } catch (const pse::ConfigError& e) {
    std::cerr << "pse-audit " << name << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pse-audit " << name << ": " << e.what() << "\n";
    return 2;
  }
}

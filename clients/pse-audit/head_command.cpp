// pse-audit head: exports the latest signed tree head, to be kept outside the database (with
// the privacy officer, in a ticket, with a notary) and later given to `verify --head`.
#include "clients/pse-audit/cli_support.hpp"
#include "clients/pse-audit/commands.hpp"

#include <iostream>

namespace pse::audit_cli {

namespace {
constexpr const char* help = R"(usage: pse-audit head --db FILE [--out FILE]

Prints the latest signed tree head as JSON (to FILE with --out). Keep it somewhere the
database's administrators cannot change: `pse-audit verify --head FILE` then detects a log
truncated or rewritten behind that point, even if its stored heads were removed too.
)";
}  // namespace

int run_head(const CommandArguments& raw) {
  const Arguments args(raw, {"db", "password-file", "out"}, {});
  if (args.help()) {
    std::cout << help;
    return 0;
  }
  auto store = open_store(args);
  auto head = store->latest_tree_head();
  if (!head) throw std::runtime_error(head.error().message);
  if (!*head) {
    std::cerr << "pse-audit head: the log has no signed tree head yet\n";
    return 1;
  }
  write_output(args, boost::json::serialize(head_to_json(**head)) + "\n");
  return 0;
}

}  // namespace pse::audit_cli

// The pse-audit commands. Each takes its arguments (after the command name) and returns the
// exit code: 0 ok, 1 the log or a proof failed verification, 2 usage or configuration error
// (thrown as UsageError or ConfigError and turned into 2 by main()).
#pragma once

#include <string>
#include <vector>

namespace pse::audit_cli {

using CommandArguments = std::vector<std::string>;

int run_keygen(const CommandArguments& args);
int run_verify(const CommandArguments& args);
int run_head(const CommandArguments& args);
int run_query(const CommandArguments& args);
int run_report(const CommandArguments& args);
int run_prove(const CommandArguments& args);
int run_check_proof(const CommandArguments& args);
int run_stats(const CommandArguments& args);

}  // namespace pse::audit_cli

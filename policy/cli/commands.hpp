// The pse-policy commands. Each takes its arguments (after the command name) and the output
// streams, and returns the exit code: 0 ok, 1 failing test cases, 2 usage or configuration
// error. They write to the given streams only, so tests can run them in-process too.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pse::policy::cli {

int run_validate(std::vector<std::string> arguments, std::ostream& out, std::ostream& err);
int run_explain(std::vector<std::string> arguments, std::ostream& out, std::ostream& err);
int run_test(std::vector<std::string> arguments, std::ostream& out, std::ostream& err);

/// Dispatches `pse-policy COMMAND ...`; `arguments` excludes the program name.
int run_pse_policy(std::vector<std::string> arguments, std::ostream& out, std::ostream& err);

}  // namespace pse::policy::cli

// pse-feedback: citizens rate a public service; bodies read it, moderated and free of personal
// information (issue 11). Subcommands in one file each (*_command.cpp).
#include "base/config_error.hpp"
#include "cli.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {

const char* const kUsage = R"(pse-feedback: the citizens' feedback tool

usage:
  pse-feedback serve      [--config FILE]
  pse-feedback keygen     [--config FILE]
  pse-feedback issue-link [--config FILE] --service ID --transaction ID [--valid-days N]
  pse-feedback moderate   [--config FILE] list [--format text|html]
  pse-feedback moderate   [--config FILE] show|approve|reject|escalate ID [--note TEXT]
  pse-feedback report     [--config FILE] --from YYYY-MM-DD --to YYYY-MM-DD [--service ID] [--format json|html]
  pse-feedback publish    [--config FILE]
  pse-feedback COMMAND --help | --help

--config defaults to config/feedback/feedback.yaml (the development setup, from the
repository's root).
Exit status: 0 on success, 1 when the command failed, 2 on a usage or configuration error.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace pse::feedback;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return cli::kUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return cli::kOk;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "serve") return cli::serve_command(args);
    if (command == "keygen") return cli::keygen_command(args);
    if (command == "issue-link") return cli::issue_link_command(args);
    if (command == "moderate") return cli::moderate_command(args);
    if (command == "report") return cli::report_command(args);
    if (command == "publish") return cli::publish_command(args);
  } catch (const pse::ConfigError& error) {
    std::cerr << "pse-feedback: error: " << error.what() << "\n";
    return cli::kUsage;
  } catch (const std::exception& error) {
    std::cerr << "pse-feedback: error: " << error.what() << "\n";
    return cli::kUsage;
  }
  std::cerr << "pse-feedback: error: unknown command '" << command << "'\n" << kUsage;
  return cli::kUsage;
}

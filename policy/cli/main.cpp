// pse-policy: the operators' and privacy officers' tool for the exchange policy.
#include "policy/cli/commands.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  try {
    return pse::policy::cli::run_pse_policy(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
  } catch (const std::exception& error) {
    std::cerr << "pse-policy: " << error.what() << "\n";
    return 2;
  }
}

// pse-load — the mutual-TLS load generator (issue 9). See `pse-load --help` and bench/README.md.
#include "load_driver.hpp"
#include "options.hpp"
#include "report.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  const pse::load::Options options = pse::load::parse_options(argc, argv);
  try {
    const pse::load::RunResult result = pse::load::run_load(options);
    pse::load::print_report(std::cout, options, result);
    if (!options.json_file.empty() && !pse::load::write_json(options.json_file, options, result)) return 2;
    return result.stats.succeeded > 0 ? 0 : 1;
  } catch (const std::exception& error) {
    // Unreadable certificate or key files end here, before any connection.
    std::cerr << "pse-load: " << error.what() << "\n";
    return 2;
  }
}

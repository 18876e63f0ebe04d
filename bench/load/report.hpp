// report.hpp — the run's figures, as text for people, a RESULT line for scripts, and JSON.
#pragma once

#include "load_driver.hpp"
#include "options.hpp"

#include <ostream>
#include <string>

namespace pse::load {

void print_report(std::ostream& out, const Options& options, const RunResult& result);
/// Returns false (with a message on stderr) when the file cannot be written.
bool write_json(const std::string& path, const Options& options, const RunResult& result);

}  // namespace pse::load

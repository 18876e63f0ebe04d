// Runs the real pse-audit on a running test broker's log, as its privacy officer would: on the
// SQLite file or the PostgreSQL schema, with the test key directory. Needs PSE_AUDIT_BINARY.
#pragma once

#include "support/pg_test_database.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace pse::testing {

/// pse-audit's output (stdout and stderr), or "" when it exits non-zero. `scratch` holds it.
inline std::string run_pse_audit_on(const std::string& arguments, const std::filesystem::path& data_dir,
                                    const std::optional<PgConnectOptions>& postgres,
                                    const std::filesystem::path& keys_dir, const std::filesystem::path& scratch) {
  const auto out = scratch / "pse-audit.out";
  const std::string db = postgres ? "\"" + postgres->conninfo + "\" --password-file " + pg_password_file()
                                  : (data_dir / "audit.db").string();
  const std::string command = std::string(PSE_AUDIT_BINARY) + " " + arguments + " --db " + db + " --key-dir " +
                              keys_dir.string() + " > " + out.string() + " 2>&1";
  if (std::system(command.c_str()) != 0) return "";
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace pse::testing

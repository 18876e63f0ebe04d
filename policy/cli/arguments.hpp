// Command-line arguments of pse-policy: `--name value` options, `--flag`s and positionals.
//
// Each command takes what it knows and then calls finish(), so that a misspelt option is a
// usage error (exit 2) rather than silently ignored, as with unknown keys in the YAML files.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pse::policy::cli {

/// A mistake in how the command was called; main() prints it with the usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Arguments {
 public:
  explicit Arguments(std::vector<std::string> arguments);

  /// True (and consumed) when `--name` is present.
  bool flag(const std::string& name);
  /// The value after `--name` (also accepts `--name=value`); UsageError when it has none.
  std::optional<std::string> option(const std::string& name);
  /// The remaining arguments that do not start with `--`, consumed.
  std::vector<std::string> positionals();
  /// UsageError for the first argument nobody consumed.
  void finish() const;

 private:
  std::vector<std::optional<std::string>> arguments_;  ///< consumed ones become nullopt
};

}  // namespace pse::policy::cli

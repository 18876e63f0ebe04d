// Command-line options of one pse-audit command: `--name value` and `--switch`, nothing else.
//
// Each command declares the options it accepts; anything else is a usage error (exit 2), so a
// mistyped filter never silently widens a query.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pse::audit_cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Arguments {
 public:
  /// `values`: options that take a value; `switches`: options that do not. `--help` is always
  /// accepted. Throws UsageError for unknown options, missing values or positional arguments.
  Arguments(const std::vector<std::string>& args, std::set<std::string> values, std::set<std::string> switches);

  bool help() const noexcept { return help_; }
  bool has(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;
  /// Every value given for a repeatable option, in order.
  std::vector<std::string> values(const std::string& name) const;
  std::string required(const std::string& name) const;

 private:
  bool help_ = false;
  std::multimap<std::string, std::string> values_;
  std::set<std::string> switches_;
};

}  // namespace pse::audit_cli

// Errors found while loading configuration. Thrown at start-up only (never on the request
// path) and turned into exit code 2 by each command's main().
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace pse {

class ConfigError : public std::runtime_error {
 public:
  /// `line` is 1-based; 0 means the error is about the file as a whole.
  ConfigError(std::filesystem::path file, int line, std::string reason);

  const std::filesystem::path& file() const noexcept { return file_; }
  int line() const noexcept { return line_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::filesystem::path file_;
  int line_;
  std::string reason_;
};

}  // namespace pse

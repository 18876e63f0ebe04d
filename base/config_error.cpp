#include "base/config_error.hpp"

namespace pse {
namespace {

std::string format(const std::filesystem::path& file, int line, const std::string& reason) {
  std::string text = file.string();
  if (line > 0) text += ":" + std::to_string(line);
  return text + ": " + reason;
}

}  // namespace

ConfigError::ConfigError(std::filesystem::path file, int line, std::string reason)
    : std::runtime_error(format(file, line, reason)),
      file_(std::move(file)),
      line_(line),
      reason_(std::move(reason)) {}

}  // namespace pse

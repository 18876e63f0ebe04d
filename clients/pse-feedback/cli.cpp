#include "cli.hpp"

#include "base/config_error.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace pse::feedback::cli {

std::optional<std::string> Arguments::get(const std::string& name) const {
  const auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

std::optional<Arguments> parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& known,
                                         std::string& error) {
  Arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      parsed.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.erase(equals);
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      error = "unknown option --" + name;
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        error = "--" + name + " needs a value";
        return std::nullopt;
      }
      value = args[++i];
    }
    parsed.options[name] = *value;
  }
  return parsed;
}

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "pse-feedback: error: " << message << " (see 'pse-feedback " << command << " --help')\n";
  return kUsage;
}

FeedbackConfig load_config(const Arguments& arguments) {
  // Without --config, the development configuration when run from the repository's root.
  const std::string file = arguments.get("config").value_or(kDefaultConfig);
  if (!arguments.get("config") && !std::filesystem::exists(file)) {
    throw std::invalid_argument("--config FILE is required (no " + std::string(kDefaultConfig) + " here)");
  }
  return load_feedback_config(file);
}

WordFilter load_words(const FeedbackConfig& config) {
  std::vector<std::string> profanity;
  std::vector<std::string> threats;
  for (const auto& file : config.profanity_lists) {
    for (auto& entry : WordFilter::read_list(file)) profanity.push_back(std::move(entry));
  }
  for (const auto& file : config.threat_lists) {
    for (auto& entry : WordFilter::read_list(file)) threats.push_back(std::move(entry));
  }
  return WordFilter(profanity, threats);
}

}  // namespace pse::feedback::cli

#include "policy/cli/arguments.hpp"

namespace pse::policy::cli {

Arguments::Arguments(std::vector<std::string> arguments) {
  for (auto& argument : arguments) arguments_.emplace_back(std::move(argument));
}

bool Arguments::flag(const std::string& name) {
  bool found = false;
  for (auto& argument : arguments_) {
    if (argument && *argument == name) {
      argument.reset();
      found = true;
    }
  }
  return found;
}

std::optional<std::string> Arguments::option(const std::string& name) {
  std::optional<std::string> value;
  for (std::size_t i = 0; i < arguments_.size(); ++i) {
    std::optional<std::string>& argument = arguments_[i];
    if (!argument) continue;
    if (*argument == name) {
      if (i + 1 >= arguments_.size() || !arguments_[i + 1]) throw UsageError(name + " needs a value");
      argument.reset();
      value = std::move(*arguments_[i + 1]);
      arguments_[i + 1].reset();
      ++i;
    } else if (argument->starts_with(name + "=")) {
      value = argument->substr(name.size() + 1);
      argument.reset();
    }
  }
  return value;
}

std::vector<std::string> Arguments::positionals() {
  std::vector<std::string> result;
  for (auto& argument : arguments_) {
    if (argument && !argument->starts_with("--")) {
      result.push_back(std::move(*argument));
      argument.reset();
    }
  }
  return result;
}

void Arguments::finish() const {
  for (const auto& argument : arguments_) {
    if (argument) throw UsageError("unknown argument '" + *argument + "'");
  }
}

}  // namespace pse::policy::cli

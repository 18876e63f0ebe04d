#include "clients/pse-audit/arguments.hpp"

namespace pse::audit_cli {

Arguments::Arguments(const std::vector<std::string>& args, std::set<std::string> values,
                     std::set<std::string> switches) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (values.contains(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
        inline_value = args[++i];
      }
      values_.emplace(name, *inline_value);
    } else if (switches.contains(name) && !inline_value) {
      switches_.insert(name);
    } else {
      throw UsageError("unknown option '" + arg + "'");
    }
  }
}

bool Arguments::has(const std::string& name) const {
  return switches_.contains(name) || values_.contains(name);
}

std::optional<std::string> Arguments::value(const std::string& name) const {
  const auto [first, last] = values_.equal_range(name);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) throw UsageError("--" + name + " may be given only once");
  return first->second;
}

std::vector<std::string> Arguments::values(const std::string& name) const {
  std::vector<std::string> out;
  const auto [first, last] = values_.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

std::string Arguments::required(const std::string& name) const {
  auto found = value(name);
  if (!found) throw UsageError("--" + name + " is required");
  return *found;
}

}  // namespace pse::audit_cli

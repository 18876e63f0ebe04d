// Splitting a request target into decoded path segments and query parameters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::broker {

struct Target {
  std::vector<std::string> segments;  ///< "/v1/consents/abc" → {"v1", "consents", "abc"}, percent-decoded
  std::map<std::string, std::string, std::less<>> query;

  /// Whether the path is exactly `pattern`, where "*" matches any one segment.
  bool matches(std::initializer_list<std::string_view> pattern) const;
};

/// std::nullopt for a target that is not origin-form or has a bad percent escape.
std::optional<Target> parse_target(std::string_view target);

}  // namespace pse::broker

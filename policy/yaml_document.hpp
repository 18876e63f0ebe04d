// Reading a whole YAML document for the policy loaders, collecting errors instead of throwing.
//
// `pse-policy validate` must report every problem of every file in one run, so the policy
// loaders append ConfigErrors to a list and carry on where they can. The text variant exists
// for the fuzz tests, which feed the loaders bytes that never touch the disk.
#pragma once

#include "base/config_error.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pse::policy {

/// The root mapping of `file`, or std::nullopt after appending why it cannot be read.
std::optional<YAML::Node> read_yaml_document(const std::filesystem::path& file,
                                             std::vector<ConfigError>& errors);

/// The root mapping of `text`; `file` only names the document in messages.
std::optional<YAML::Node> parse_yaml_document(std::string_view text,
                                              const std::filesystem::path& file,
                                              std::vector<ConfigError>& errors);

/// Throws ConfigError for the first key of `mapping` not in `known`, listing the known ones.
/// Called before reading an entry, so that a misspelt key (`consumr:`) is reported as such
/// rather than as the required key it was meant to be.
void reject_unknown_keys(const YAML::Node& mapping, const std::filesystem::path& file, const std::string& what,
                         std::initializer_list<std::string_view> known);

}  // namespace pse::policy

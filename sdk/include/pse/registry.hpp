// pse/registry.hpp — addressing the consent registry (Client::registry, for consent authorities).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace pse {

enum class RegistryMethod { get, post };

/// A registry path from its segments, each percent-encoded:
/// registry_path({"subjects", "QC 1", "consents"}) is "/v1/subjects/QC%201/consents".
std::string registry_path(std::initializer_list<std::string_view> segments);

}  // namespace pse

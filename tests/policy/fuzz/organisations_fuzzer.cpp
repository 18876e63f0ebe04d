// libFuzzer: any text as orgs.yaml. The loader gives a registry of valid organisations or throws
// ConfigError naming the file — never another exception: on SIGHUP the broker keeps its old
// configuration on a ConfigError, and anything else would escape the reload.
#include "policy/organisations.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pse::testing::TempDir dir;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto file = dir.write("orgs.yaml", text);
  try {
    const pse::policy::OrganisationRegistry registry = pse::policy::load_organisations(file);
    for (const auto& [id, organisation] : registry.all()) {
      if (id != organisation.id || !pse::policy::is_valid_org_id(id)) __builtin_trap();
      if (organisation.clearance < 0 || organisation.clearance > 3) __builtin_trap();
    }
  } catch (const pse::ConfigError& error) {
    if (error.file() != file || error.reason().empty()) __builtin_trap();
  }
  return 0;
}

// libFuzzer: any text as broker.yaml. The loader gives a configuration or throws ConfigError
// naming the file — never another exception, which pse-broker would report without a line.
// The files broker.yaml names (TLS material, orgs, classification, policies, keys) exist, empty,
// beside it in a private temporary directory, so that the loader reads on past them.
#include "broker/config.hpp"

#include "base/config_error.hpp"
#include "support/temp_dir.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace {

const pse::testing::TempDir& directory() {
  static const pse::testing::TempDir dir;
  static const bool prepared = [] {
    for (const char* name : {"ca.crt", "crl.pem", "broker.crt", "broker.key", "orgs.yaml", "classification.yaml",
                             "policies.yaml"}) {
      dir.write(name, "");
    }
    return std::filesystem::create_directories(dir / "keys");
  }();
  (void)prepared;
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto file = directory().write("broker.yaml", text);
  try {
    const pse::broker::BrokerConfig config = pse::broker::load_broker_config(file);
    if (config.threads < 1 || config.limits.header_bytes < 1024) __builtin_trap();
  } catch (const pse::ConfigError& error) {
    if (error.file() != file || error.reason().empty()) __builtin_trap();
  }
  return 0;
}

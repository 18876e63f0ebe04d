// libFuzzer: any text as a pse-connector configuration. The loader gives a configuration or
// throws ConfigError naming a file — never another exception. The connector's file sits in a
// private temporary directory whose parent holds the shipped classification.yaml, where the
// default "classification: ../classification.yaml" finds it.
#include "adapters/connector/connector_config.hpp"

#include "base/config_error.hpp"
#include "support/fuzz/special_files.hpp"
#include "support/temp_dir.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace {

const pse::testing::TempDir& directory() {
  static const pse::testing::TempDir dir;
  static const bool prepared = [] {
    std::filesystem::create_directories(dir / "connectors");
    return std::filesystem::copy_file(PSE_SOURCE_DIR "/config/classification.yaml", dir / "classification.yaml");
  }();
  (void)prepared;
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (pse::testing::names_special_files(text)) return 0;
  const auto file = directory().write("connectors/connector.yaml", text);
  try {
    const pse::connector::ConnectorConfig config = pse::connector::load_connector_config(file);
    if (config.serve.empty() && config.batch.empty()) __builtin_trap();
  } catch (const pse::ConfigError& error) {
    if (error.reason().empty()) __builtin_trap();
  }
  return 0;
}

// libFuzzer: any text as pse-notify's notify.yaml. The loader gives a configuration or throws
// ConfigError naming the file — never another exception. The password files it reads
// (smtp-password, kannel-password) sit beside it in a private temporary directory.
#include "notify_config.hpp"

#include "base/config_error.hpp"
#include "support/fuzz/special_files.hpp"
#include "support/temp_dir.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const pse::testing::TempDir& directory() {
  static const pse::testing::TempDir dir;
  static const bool prepared = [] {
    dir.write("smtp-password", "smtp secret\n");
    dir.write("kannel-password", "kannel secret\n");
    return true;
  }();
  (void)prepared;
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (pse::testing::names_special_files(text)) return 0;
  const auto file = directory().write("notify.yaml", text);
  try {
    const pse::notify::NotifyConfig config = pse::notify::load_notify_config(file);
    if (config.sms.max_segments < 1 || config.sms.max_segments > 10) __builtin_trap();
  } catch (const pse::ConfigError& error) {
    if (error.reason().empty()) __builtin_trap();
  }
  return 0;
}

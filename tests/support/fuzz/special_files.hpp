// For fuzz targets of loaders that read the files a configuration names: a configuration may
// name a device or a kernel file (/dev/zero, /proc/self/fd/0), and reading one never ends. That
// is the operator's to avoid, not a parser bug, so such inputs are skipped — any text holding
// "dev/", "proc/" or "sys/", which is why the committed seeds name certs/ rather than certs/dev/.
#pragma once

#include <string_view>

namespace pse::testing {

inline bool names_special_files(std::string_view text) {
  for (std::string_view marker : {"dev/", "proc/", "sys/"}) {
    if (text.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace pse::testing

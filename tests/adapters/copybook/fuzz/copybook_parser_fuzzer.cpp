// libFuzzer: any text as a copybook, in both formats; a layout that parses must describe itself
// and decode a record made of the same bytes without reading out of bounds.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto format : {pse::legacy::CopybookFormat::fixed, pse::legacy::CopybookFormat::free}) {
    pse::legacy::CopybookOptions options;
    options.format = format;
    auto layout = pse::legacy::parse_copybook(text, options);
    if (!layout) continue;
    if (layout->record_size() > pse::legacy::max_record_size) __builtin_trap();
    (void)layout->describe();
    pse::legacy::RecordDecoder decoder(*layout);
    pse::legacy::Record record;
    (void)decoder.decode(text, record);
  }
  return 0;
}

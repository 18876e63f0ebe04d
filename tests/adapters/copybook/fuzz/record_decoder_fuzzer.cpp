// libFuzzer: any bytes as a record of a layout that uses every feature. A record that decodes
// must encode, when it encodes, to bytes that decode to the same JSON.
#include "adapters/copybook/copybook_parser.hpp"
#include "adapters/copybook/record_decoder.hpp"
#include "adapters/copybook/record_encoder.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

const pse::legacy::CopybookLayout& layout() {
  static const pse::legacy::CopybookLayout parsed = [] {
    pse::legacy::CopybookOptions options;
    options.selectors.push_back({"BODY", "KIND", {{"T", "BODY"}, {"N", "NUMBERS"}, {"F", "FLOATS"}}});
    auto result = pse::legacy::parse_copybook(
        "       01 R.\n"
        "          05 KIND     PIC X.\n"
        "          05 N        PIC 9 COMP.\n"
        "          05 ITEMS    OCCURS 0 TO 3 DEPENDING ON N.\n"
        "             10 A     PIC S9(3)V9 COMP-3.\n"
        "             10 B     PIC ZZ9.99CR.\n"
        "             10 C     PIC S99 SIGN LEADING SEPARATE.\n"
        "          05 BODY     PIC X(12).\n"
        "          05 NUMBERS REDEFINES BODY.\n"
        "             10 D     PIC S9(18) COMP.\n"
        "             10 E     PIC S9(4) COMP-5.\n"
        "             10 F     PIC 99.\n"
        "          05 FLOATS REDEFINES BODY.\n"
        "             10 G     COMP-1.\n"
        "             10 H     COMP-2.\n",
        options);
    if (!result) __builtin_trap();
    return std::move(result.value());
  }();
  return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  pse::legacy::RecordDecoder decoder(layout());
  pse::legacy::Record record;
  if (decoder.decode(bytes, record)) return 0;
  const std::string json = pse::legacy::to_json(record);
  pse::legacy::RecordEncoder encoder(layout());
  std::string encoded;
  if (encoder.encode(record, encoded)) return 0;
  pse::legacy::Record again;
  if (decoder.decode(encoded, again) || pse::legacy::to_json(again) != json) __builtin_trap();
  return 0;
}

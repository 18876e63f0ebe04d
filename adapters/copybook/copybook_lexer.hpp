// The reference format of COBOL source, as copybooks use it, cut into words.
//
// In fixed format, columns 1–6 hold sequence numbers and 73–80 an identification area (both
// ignored, and often filled with change marks), column 7 says whether the line is a comment
// ('*', '/'), a debugging line ('D') or the continuation of a literal ('-'). Words are separated
// by spaces (and by commas or semicolons followed by a space); a period followed by a space or
// the end of a line ends an entry, while a period inside a PIC string ("ZZ9.99") does not.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/framing/legacy_error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pse::legacy {

struct CopybookToken {
  std::string text;
  std::uint64_t line = 0;
  bool ends_entry = false;  ///< a separator period: `text` is empty
  bool is_literal = false;  ///< a quoted literal: `text` holds it without quotes
};

/// The words of a copybook, with the line of each; an error for an unterminated literal.
LegacyResult<std::vector<CopybookToken>> tokenize_copybook(std::string_view text, CopybookFormat format,
                                                           const std::string& copybook_name);

}  // namespace pse::legacy

// Parses copybook text into a CopybookLayout (see copybook_layout.hpp for what it holds).
//
// Accepted: levels 01–49 and 77, FILLER, PIC X/A/9/S/V/P and numeric-edited pictures, USAGE
// DISPLAY, COMP/COMP-4/BINARY, COMP-5, COMP-3/PACKED-DECIMAL, COMP-1, COMP-2, SIGN LEADING/
// TRAILING [SEPARATE], OCCURS n [TO m] [DEPENDING ON x], REDEFINES, BLANK WHEN ZERO, VALUE
// (ignored). Level 88 condition names and level 66 RENAMES do not change the layout and are
// skipped. Refused with a clear message rather than read wrongly: SYNCHRONIZED (slack bytes),
// USAGE INDEX/POINTER, COPY statements.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/framing/legacy_error.hpp"

#include <string>
#include <string_view>

namespace pse::legacy {

/// `copybook_name` names the copybook in error messages (usually its file name).
LegacyResult<CopybookLayout> parse_copybook(std::string_view text, const CopybookOptions& options = {},
                                            const std::string& copybook_name = "copybook");

}  // namespace pse::legacy

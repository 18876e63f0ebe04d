// What each obligation of a rule means to the citizen, in plain words, French and English: the
// one wording of the register (`pse-audit report`) and of the consent authority's view of a
// citizen's accesses, so the two never say different things.
//
// Obligations are kept in entries by their wire spelling (audit_entry.hpp); one of a later
// version that this program does not know has no wording, and is shown by that spelling.
#pragma once

#include <optional>
#include <string_view>

namespace pse::audit {

struct ObligationWording {
  std::string_view french;
  std::string_view english;
};

std::optional<ObligationWording> obligation_wording(std::string_view obligation) noexcept;

}  // namespace pse::audit

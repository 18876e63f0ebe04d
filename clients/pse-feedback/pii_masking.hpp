// Masking of personal information in free text (French and English), before anything is stored.
//
// The masked text replaces the original: callers keep only `MaskedText::text`. Each kind is
// found by a pattern plus, where one exists, a validity check that keeps ordinary numbers
// unmasked: a social insurance number only when its Luhn checksum holds, a RAMQ number only when
// its date digits are a plausible month and day, a phone number only with North-American area
// and exchange codes (first digit 2–9), a street address only when a civic number is followed by
// a street type and a capitalised name ("3 rue de chez moi" stays).
#pragma once

#include "language.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace pse::feedback {

enum class PiiKind : std::size_t {
  email,
  phone,
  health_number,  ///< RAMQ: 4 letters and 8 digits
  social_insurance_number,
  postal_code,
  passport,
  street_address,
  count_
};
inline constexpr std::size_t kPiiKinds = static_cast<std::size_t>(PiiKind::count_);

std::string_view to_string(PiiKind kind) noexcept;

struct MaskedText {
  std::string text;
  std::array<int, kPiiKinds> found{};  ///< how many of each kind were masked

  int count(PiiKind kind) const noexcept { return found[static_cast<std::size_t>(kind)]; }
  int total() const noexcept;
};

/// Replaces every piece of personal information in `text` by a placeholder in `language`
/// (e.g. "[NAS masqué]" / "[SIN removed]").
MaskedText mask_personal_information(std::string_view text, Language language);

/// The Luhn check on a string of ASCII digits (social insurance numbers).
bool luhn_valid(std::string_view digits) noexcept;

}  // namespace pse::feedback

// Exact decimal values for COBOL numbers: a 128-bit unscaled integer and a power-of-ten scale.
//
// COBOL numbers reach 31 digits (38 with ARITH(EXTEND)); money must never pass through floating
// point. A signed 128-bit integer holds 38 digits exactly, which covers every PIC we accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pse::legacy {

// __int128 is a GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it on purpose.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UnsignedInt128;

/// Largest number of decimal digits a PIC may declare (fits in Int128 with room to spare).
inline constexpr int max_decimal_digits = 38;

/// 10^exponent for 0 <= exponent <= 38.
Int128 power_of_ten(int exponent) noexcept;

/// Number of decimal digits of |value| (1 for zero).
int digit_count(Int128 value) noexcept;

/// Appends `unscaled` × 10^-scale in plain decimal notation: scale 2 gives "-12.34", "0.05";
/// a negative scale appends zeros ("1200" for 12 with scale -2). No exponent, ever.
void append_decimal(Int128 unscaled, int scale, std::string& output);

/// The text of append_decimal.
std::string decimal_to_string(Int128 unscaled, int scale);

/// Parses "-12.34", "+5", "0.050", "12"; scale is the number of digits after the point.
struct ParsedDecimal {
  Int128 unscaled;
  int scale;
};
std::optional<ParsedDecimal> parse_decimal(std::string_view text) noexcept;

/// Changes the scale of a value, exactly: rescaling up multiplies by 10^n, rescaling down is
/// allowed only when the dropped digits are zero. std::nullopt when it would lose digits or overflow.
std::optional<Int128> rescale(Int128 unscaled, int from_scale, int to_scale) noexcept;

}  // namespace pse::legacy

// PICTURE strings: what a PIC clause says about a field's kind, digits, scale and sign.
//
// "S9(7)V99" is a signed number of 9 digits, 2 after the implied point; "X(10)" is ten
// characters; "PPP999" is a number scaled down by 10^-6; "ZZ,ZZ9.99-" is numeric-edited: what
// a report shows, with the editing to undo on reading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pse::legacy {

enum class PictureCategory : std::uint8_t {
  alphanumeric,    ///< X, A, alphanumeric-edited (B, 0, / with X or A)
  numeric,         ///< 9, S, V, P only
  numeric_edited,  ///< 9 with Z * + - CR DB . , B 0 / $
};

struct Picture {
  PictureCategory category = PictureCategory::alphanumeric;
  std::string symbols;         ///< the picture with repeats expanded and in upper case: "S9999999V99"
  std::uint32_t length = 0;    ///< character positions for USAGE DISPLAY (S, V, P take none)
  int digits = 0;              ///< digit positions (numeric and numeric-edited)
  int scale = 0;               ///< digits after the implied point; negative for trailing P
  bool is_signed = false;      ///< S, or a sign symbol in an edited picture
};

/// True at the digit positions of an expanded numeric-edited picture: 9, Z, *, and every
/// symbol of a floating string (+++, ---, $$$, insertion characters allowed inside: $$,$$9) but
/// its first, which holds only the sign or the currency.
bool is_edited_digit_position(std::string_view symbols, std::size_t at) noexcept;

/// Analyses a picture string; std::nullopt with `problem` set when it is not one COBOL allows.
std::optional<Picture> parse_picture(std::string_view text, std::string& problem);

}  // namespace pse::legacy

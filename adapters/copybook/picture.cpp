#include "adapters/copybook/picture.hpp"

#include <cctype>

namespace pse::legacy {
namespace {

// COBOL allows items of a few megabytes at most; a longer picture is a typo or hostile input.
constexpr std::size_t max_picture_length = 1'000'000;

/// "9(5)V9(2)" -> "99999V99", upper case; std::nullopt on a malformed repeat count.
std::optional<std::string> expand(std::string_view text, std::string& problem) {
  std::string symbols;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[at])));
    if (c == '(') {
      const std::size_t close = text.find(')', at);
      if (symbols.empty() || close == std::string_view::npos || close == at + 1) {
        problem = "malformed repeat count in PIC " + std::string(text);
        return std::nullopt;
      }
      std::uint64_t count = 0;
      for (std::size_t digit = at + 1; digit < close; ++digit) {
        if (!std::isdigit(static_cast<unsigned char>(text[digit])) || count > 100000) {
          problem = "bad repeat count in PIC " + std::string(text);
          return std::nullopt;
        }
        count = count * 10 + static_cast<std::uint64_t>(text[digit] - '0');
      }
      if (count == 0 || count > 100000) {
        problem = "repeat count out of range in PIC " + std::string(text);
        return std::nullopt;
      }
      if (symbols.size() + count > max_picture_length) {
        problem = "PIC longer than " + std::to_string(max_picture_length) + " positions: " + std::string(text);
        return std::nullopt;
      }
      symbols.append(count - 1, symbols.back());
      at = close;
      continue;
    }
    symbols.push_back(c);
  }
  return symbols;
}

}  // namespace

bool is_edited_digit_position(std::string_view symbols, std::size_t at) noexcept {
  const char c = symbols[at];
  if (c == '9' || c == 'Z' || c == '*') return true;
  if (c != '+' && c != '-' && c != '$') return false;
  // Part of a floating string when the same symbol comes earlier, with only insertion
  // characters between.
  for (std::size_t before = at; before-- > 0;) {
    const char earlier = symbols[before];
    if (earlier == c) return true;
    if (earlier != ',' && earlier != 'B' && earlier != '0' && earlier != '/') return false;
  }
  return false;
}

std::optional<Picture> parse_picture(std::string_view text, std::string& problem) {
  auto expanded = expand(text, problem);
  if (!expanded) return std::nullopt;
  Picture picture;
  picture.symbols = std::move(*expanded);
  const std::string& symbols = picture.symbols;
  if (symbols.empty()) {
    problem = "empty PIC";
    return std::nullopt;
  }
  bool has_text = false, has_edit = false, has_numeric_only = false;
  for (std::size_t at = 0; at < symbols.size(); ++at) {
    const char c = symbols[at];
    switch (c) {
      case 'X': case 'A': has_text = true; break;
      case '9': break;
      case 'S': case 'V': case 'P': has_numeric_only = true; break;
      case 'Z': case '*': case '+': case '-': case '.': case ',': case 'B': case '0': case '/': case '$':
        has_edit = true;
        break;
      case 'C':
        if (at + 1 < symbols.size() && symbols[at + 1] == 'R') { has_edit = true; ++at; break; }
        problem = "unexpected 'C' in PIC " + std::string(text);
        return std::nullopt;
      case 'D':
        if (at + 1 < symbols.size() && symbols[at + 1] == 'B') { has_edit = true; ++at; break; }
        problem = "unexpected 'D' in PIC " + std::string(text);
        return std::nullopt;
      default:
        problem = std::string("unsupported symbol '") + c + "' in PIC " + std::string(text);
        return std::nullopt;
    }
  }
  if (has_text) {
    if (has_numeric_only) {
      problem = "PIC mixes X/A with S, V or P: " + std::string(text);
      return std::nullopt;
    }
    // Alphanumeric-edited pictures (X with B, 0, /) are read as the characters they hold.
    picture.category = PictureCategory::alphanumeric;
    picture.length = static_cast<std::uint32_t>(symbols.size());
    return picture;
  }
  if (!has_edit) {
    picture.category = PictureCategory::numeric;
    bool after_point = false, seen_nine = false;
    int leading_p = 0, trailing_p = 0;
    for (std::size_t at = 0; at < symbols.size(); ++at) {
      const char c = symbols[at];
      if (c == 'S') {
        if (at != 0) {
          problem = "S must come first in PIC " + std::string(text);
          return std::nullopt;
        }
        picture.is_signed = true;
      } else if (c == 'V') {
        if (after_point) {
          problem = "two V in PIC " + std::string(text);
          return std::nullopt;
        }
        after_point = true;
      } else if (c == '9') {
        if (trailing_p > 0) {
          problem = "P between digits in PIC " + std::string(text);
          return std::nullopt;
        }
        ++picture.digits;
        seen_nine = true;
        if (after_point) ++picture.scale;
      } else if (c == 'P') {
        // P before the digits scales the value down (PPP999 = .000nnn); after them, up (999PPP = nnn000).
        if (!seen_nine || after_point) {
          ++leading_p;
        } else {
          ++trailing_p;
        }
      }
    }
    if (picture.digits == 0) {
      problem = "no digit in PIC " + std::string(text);
      return std::nullopt;
    }
    // The digits and P positions after an explicit or implied point all count in the scale:
    // PPP999 holds .000nnn (scale 6), 999PPP holds nnn000 (scale -3).
    if (leading_p > 0 && !after_point) picture.scale = picture.digits;  // the point is implied before the P
    picture.scale += leading_p - trailing_p;
    picture.length = static_cast<std::uint32_t>(picture.digits);
    return picture;
  }
  // Numeric-edited: count digit positions; the first symbol of a floating string (+++, ---, $$$)
  // holds only the sign or currency, the others hold digits.
  picture.category = PictureCategory::numeric_edited;
  picture.length = static_cast<std::uint32_t>(symbols.size());
  bool after_point = false;
  for (std::size_t at = 0; at < symbols.size(); ++at) {
    const char c = symbols[at];
    const bool digit_position = is_edited_digit_position(symbols, at);
    if (c == '+' || c == '-') {
      picture.is_signed = true;
    } else if (c == 'C' || c == 'D') {
      picture.is_signed = true;
      ++at;
    } else if (c == '.') {
      after_point = true;
    } else if (c == 'V') {
      after_point = true;
    }
    if (digit_position) {
      ++picture.digits;
      if (after_point) ++picture.scale;
    }
  }
  if (picture.digits == 0) {
    problem = "no digit position in PIC " + std::string(text);
    return std::nullopt;
  }
  return picture;
}

}  // namespace pse::legacy

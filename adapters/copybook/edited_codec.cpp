// Numeric-edited fields (ZZ,ZZ9.99-, $$$9.99, 999.99CR…): the editing undone on reading, redone on writing.
#include "adapters/copybook/field_codec_support.hpp"

#include <cstring>

namespace pse::legacy::codec {

std::optional<FieldProblem> decode_edited(const LayoutNode& node, std::string_view bytes, Record& record) {
  std::string text;
  if (const auto unmappable = append_as_utf8(node.code_page, bytes, text)) {
    return problem(LegacyErrorCode::unmappable_byte, unmappable->offset, "byte " + hex_byte(unmappable->byte) + " is not a character");
  }
  const std::string& symbols = node.picture.symbols;
  if (text.size() != symbols.size()) return problem(LegacyErrorCode::bad_digit, 0, "edited field holds non-ASCII characters");
  DigitAccumulator digits(node.picture.digits);
  bool negative = false;
  for (std::size_t at = 0; at < symbols.size(); ++at) {
    const char symbol = symbols[at];
    const char c = text[at];
    if (is_edited_digit_position(symbols, at)) {
      if (c >= '0' && c <= '9') {
        digits.push(static_cast<unsigned>(c - '0'));
      } else if (c == ' ' || c == '*' || c == '$' || c == '+' || c == '-') {
        if (c == '-') negative = true;
        digits.push(0);  // a suppressed leading zero, or where the floating symbol landed
      } else {
        return problem(LegacyErrorCode::bad_digit, at, std::string("'") + c + "' where PIC " + symbols + " has a digit");
      }
    } else if (symbol == '+' || symbol == '-') {
      if (c == '-') {
        negative = true;
      } else if (c != '+' && c != ' ') {
        return problem(LegacyErrorCode::bad_sign, at, std::string("'") + c + "' is not a sign");
      }
    } else if ((symbol == 'C' || symbol == 'D') && at + 1 < symbols.size()) {
      const std::string_view pair(text.data() + at, 2);
      if (pair == "CR" || pair == "DB") {
        negative = true;
      } else if (pair != "  ") {
        return problem(LegacyErrorCode::bad_sign, at, "'" + std::string(pair) + "' is not CR, DB or blank");
      }
      ++at;
    }
    // '.', ',', 'B', '0', '/', a single '$' and V carry no digit.
  }
  if (negative && !node.picture.is_signed) return problem(LegacyErrorCode::sign_not_allowed, 0, "negative value in an unsigned picture");
  record.add_decimal(&node, digits.value(negative), node.picture.scale);
  return std::nullopt;
}

std::optional<FieldProblem> encode_edited(const LayoutNode& node, const RecordEntry& entry, char* output) {
  Int128 value = 0;
  if (auto bad = numeric_value(node, entry, value)) return bad;
  const std::string& symbols = node.picture.symbols;
  char digits[max_decimal_digits];
  if (!digits_of(value, node.picture.digits, digits)) return problem(LegacyErrorCode::value_out_of_range, 0, "more digits than PIC " + symbols);
  std::string text(symbols.size(), ' ');
  if (value == 0 && node.blank_when_zero) {
    std::memset(output, space_of(node.code_page), node.size);
    return std::nullopt;
  }
  const bool negative = value < 0;
  const char fill = symbols.find('*') != std::string::npos ? '*' : ' ';
  bool significant = false;
  int digit_index = 0;
  std::size_t floating_slot = std::string::npos;  // where the floating symbol goes
  for (std::size_t at = 0; at < symbols.size(); ++at) {
    const char symbol = symbols[at];
    if (is_edited_digit_position(symbols, at)) {
      const int digit = digits[digit_index++];
      const bool floating = symbol == '+' || symbol == '-' || symbol == '$';
      if (!significant && digit == 0 && symbol != '9') {
        text[at] = floating ? ' ' : fill;
        if (floating) floating_slot = at;
        continue;
      }
      if (!significant && floating_slot != std::string::npos) {
        // The floating symbol lands just left of the first significant digit.
        const char floated = symbols[floating_slot];
        text[floating_slot] = floated == '$' ? '$' : negative ? '-' : floated == '+' ? '+' : ' ';
      }
      significant = true;
      text[at] = static_cast<char>('0' + digit);
    } else if (symbol == '+' || symbol == '-' || symbol == '$') {
      const bool starts_floating = at + 1 < symbols.size() && symbols[at + 1] == symbol;
      const char shown = symbol == '$' ? '$' : negative ? '-' : symbol == '+' ? '+' : ' ';
      if (starts_floating) {
        text[at] = ' ';
        floating_slot = at;
      } else {
        text[at] = shown;
      }
    } else if (symbol == '.') {
      // Suppression stops at the point when a digit follows it that must show: a '9', or any
      // digit of a value that is not zero. Only an all-zero value suppresses the point too.
      text[at] = significant || value != 0 || symbols.find('9', at) != std::string::npos ? '.' : fill;
      if (text[at] == '.') significant = true;
    } else if (symbol == ',' || symbol == '/' || symbol == '0') {
      text[at] = significant ? symbol : fill;
    } else if (symbol == 'B') {
      text[at] = significant ? ' ' : fill;
    } else if ((symbol == 'C' || symbol == 'D') && at + 1 < symbols.size()) {
      text[at] = negative ? symbol : ' ';
      text[at + 1] = negative ? symbols[at + 1] : ' ';
      ++at;
    }
  }
  // A floating string that never met a significant digit still shows its symbol at the end.
  if (!significant && floating_slot != std::string::npos) {
    const char symbol = symbols[floating_slot];
    text[floating_slot] = symbol == '$' ? '$' : negative ? '-' : symbol == '+' ? '+' : ' ';
  }
  std::string bytes;
  if (append_from_utf8(node.code_page, text, bytes) || bytes.size() != node.size) {
    return problem(LegacyErrorCode::unmappable_character, 0, "edited text has no bytes in the code page");
  }
  std::memcpy(output, bytes.data(), bytes.size());
  return std::nullopt;
}

}  // namespace pse::legacy::codec

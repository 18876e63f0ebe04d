#include "adapters/copybook/field_codec.hpp"

#include <cmath>
#include <cstring>

namespace pse::legacy {
namespace {

std::string hex_byte(unsigned value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  return std::string("0x") + hex[(value >> 4) & 0xF] + hex[value & 0xF];
}

FieldProblem problem(LegacyErrorCode code, std::size_t offset, std::string message) {
  return FieldProblem{code, offset, std::move(message)};
}

std::uint8_t space_of(CodePage page) { return is_ebcdic(page) ? 0x40 : 0x20; }

bool all_bytes(std::string_view bytes, std::uint8_t value) {
  for (const char c : bytes) {
    if (static_cast<std::uint8_t>(c) != value) return false;
  }
  return true;
}

/// Accumulates a decimal digit: 64-bit while it cannot overflow (18 digits), 128-bit beyond.
struct DigitAccumulator {
  std::uint64_t small = 0;
  Int128 large = 0;
  bool use_large;
  explicit DigitAccumulator(int digits) : use_large(digits > 18) {}
  void push(unsigned digit) {
    if (use_large) {
      large = large * 10 + digit;
    } else {
      small = small * 10 + digit;
    }
  }
  Int128 value(bool negative) const {
    const Int128 magnitude = use_large ? large : static_cast<Int128>(small);
    return negative ? -magnitude : magnitude;
  }
};

// ---- Zoned decimal (USAGE DISPLAY numbers) ----

/// The digit and sign an overpunched sign byte carries; false when it is not one.
bool read_overpunch(std::uint8_t byte, bool ebcdic, unsigned& digit, bool& negative) {
  if (ebcdic) {
    const unsigned zone = byte >> 4, low = byte & 0xFu;
    if (low > 9) return false;
    digit = low;
    if (zone == 0xF || zone == 0xC || zone == 0xA || zone == 0xE) {
      negative = false;
      return true;
    }
    if (zone == 0xD || zone == 0xB) {
      negative = true;
      return true;
    }
    return false;
  }
  if (byte >= '0' && byte <= '9') {
    digit = byte - '0', negative = false;
  } else if (byte == '{') {
    digit = 0, negative = false;
  } else if (byte >= 'A' && byte <= 'I') {
    digit = byte - 'A' + 1u, negative = false;
  } else if (byte == '}') {
    digit = 0, negative = true;
  } else if (byte >= 'J' && byte <= 'R') {
    digit = byte - 'J' + 1u, negative = true;
  } else if (byte >= 'p' && byte <= 'y') {  // GnuCOBOL and Micro Focus negatives
    digit = byte - 'p', negative = true;
  } else {
    return false;
  }
  return true;
}

std::optional<FieldProblem> decode_zoned(const LayoutNode& node, std::string_view bytes, Record& record) {
  const bool ebcdic = is_ebcdic(node.code_page);
  if (all_bytes(bytes, space_of(node.code_page))) {
    record.add_null(&node);
    return std::nullopt;
  }
  const Picture& picture = node.picture;
  std::size_t first = 0, last = bytes.size();  // the digit bytes
  bool negative = false;
  std::size_t sign_at = bytes.size() - 1;
  if (node.sign_separate) {
    sign_at = node.sign_position == SignPosition::leading ? 0 : bytes.size() - 1;
    const auto sign = static_cast<std::uint8_t>(bytes[sign_at]);
    if (sign == byte_of(node.code_page, '-')) {
      negative = true;
    } else if (sign != byte_of(node.code_page, '+')) {
      return problem(LegacyErrorCode::bad_sign, sign_at, "separate sign " + hex_byte(sign) + " is neither '+' nor '-'");
    }
    if (sign_at == 0) {
      first = 1;
    } else {
      last = bytes.size() - 1;
    }
    sign_at = bytes.size();  // no overpunch
  } else if (node.sign_position == SignPosition::leading) {
    sign_at = 0;
  }
  DigitAccumulator digits(picture.digits);
  for (std::size_t at = first; at < last; ++at) {
    const auto byte = static_cast<std::uint8_t>(bytes[at]);
    unsigned digit = 0;
    if (at == sign_at) {
      bool overpunch_negative = false;
      if (!read_overpunch(byte, ebcdic, digit, overpunch_negative)) {
        return problem(LegacyErrorCode::bad_digit, at, "byte " + hex_byte(byte) + " is not a digit or an overpunched sign");
      }
      if (overpunch_negative && !picture.is_signed) {
        return problem(LegacyErrorCode::sign_not_allowed, at, "negative sign in an unsigned field (PIC without S)");
      }
      negative = overpunch_negative;
    } else {
      digit = ebcdic ? byte - 0xF0u : byte - unsigned{'0'};
      if ((ebcdic && (byte & 0xF0) != 0xF0) || digit > 9) {
        return problem(LegacyErrorCode::bad_digit, at, "byte " + hex_byte(byte) + " is not a digit");
      }
    }
    digits.push(digit);
  }
  record.add_decimal(&node, digits.value(negative), picture.scale);
  return std::nullopt;
}

// ---- Packed decimal (COMP-3) ----

std::optional<FieldProblem> decode_packed(const LayoutNode& node, std::string_view bytes, Record& record) {
  DigitAccumulator digits(static_cast<int>(bytes.size() * 2 - 1));
  const std::size_t last = bytes.size() - 1;
  for (std::size_t at = 0; at < last; ++at) {
    const auto byte = static_cast<std::uint8_t>(bytes[at]);
    const unsigned high = byte >> 4, low = byte & 0xFu;
    if (high > 9 || low > 9) {
      return problem(LegacyErrorCode::bad_packed_nibble, at, "byte " + hex_byte(byte) + " holds a nibble above 9");
    }
    digits.push(high);
    digits.push(low);
  }
  const auto byte = static_cast<std::uint8_t>(bytes[last]);
  const unsigned high = byte >> 4, sign = byte & 0xFu;
  if (high > 9) return problem(LegacyErrorCode::bad_packed_nibble, last, "byte " + hex_byte(byte) + " holds a digit nibble above 9");
  digits.push(high);
  bool negative = false;
  if (sign == 0xD || sign == 0xB) {
    negative = true;
    if (!node.picture.is_signed) {
      return problem(LegacyErrorCode::sign_not_allowed, last, "negative sign nibble in an unsigned field (PIC without S)");
    }
  } else if (sign < 0xA) {
    return problem(LegacyErrorCode::bad_packed_nibble, last, "byte " + hex_byte(byte) + " has no sign nibble (A–F)");
  }
  record.add_decimal(&node, digits.value(negative), node.picture.scale);
  return std::nullopt;
}

// ---- Binary (COMP, COMP-4, BINARY, COMP-5) ----

std::uint64_t read_unsigned(std::string_view bytes, ByteOrder order) {
  std::uint64_t value = 0;
  if (order == ByteOrder::big_endian) {
    for (const char c : bytes) value = value << 8 | static_cast<std::uint8_t>(c);
  } else {
    for (std::size_t at = bytes.size(); at-- > 0;) value = value << 8 | static_cast<std::uint8_t>(bytes[at]);
  }
  return value;
}

std::optional<FieldProblem> decode_binary(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options,
                                          Record& record) {
  const bool native = node.usage == Usage::native_binary;
  const std::uint64_t raw = read_unsigned(bytes, native ? options.native_binary_order : ByteOrder::big_endian);
  Int128 value = 0;
  if (node.picture.is_signed) {
    const unsigned bits = static_cast<unsigned>(bytes.size() * 8);
    // Sign-extend from the field's width.
    const std::uint64_t sign_bit = std::uint64_t{1} << (bits - 1);
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    const std::uint64_t field = raw & mask;
    value = (field & sign_bit) != 0 ? static_cast<Int128>(field) - (static_cast<Int128>(mask) + 1) : static_cast<Int128>(field);
  } else {
    value = static_cast<Int128>(raw);
  }
  // TRUNC(STD): a COMP item holds at most its PIC digits; the high-order digits are dropped, as an
  // IBM program reading the field would see it. COMP-5 keeps the full binary value.
  if (!native) value %= power_of_ten(node.picture.digits);
  record.add_decimal(&node, value, node.picture.scale);
  return std::nullopt;
}

// ---- Floating point (COMP-1, COMP-2) ----

double ibm_hex_to_double(std::uint64_t bits, bool single) {
  const int fraction_bits = single ? 24 : 56;
  const unsigned top = single ? 31 : 63;
  const bool negative = ((bits >> top) & 1u) != 0;
  const int exponent = static_cast<int>((bits >> fraction_bits) & 0x7Fu) - 64;
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << fraction_bits) - 1);
  if (fraction == 0) return 0.0;  // a zero fraction is zero whatever the sign and exponent (no -0)
  const double magnitude = std::ldexp(static_cast<double>(fraction), 4 * exponent - fraction_bits);
  return negative ? -magnitude : magnitude;
}

std::optional<std::uint64_t> double_to_ibm_hex(double value, bool single) {
  const int fraction_bits = single ? 24 : 56;
  const unsigned top = single ? 31 : 63;
  if (!std::isfinite(value)) return std::nullopt;
  if (value == 0) return std::uint64_t{0};
  const bool negative = value < 0;
  int binary_exponent = 0;
  const double mantissa = std::frexp(std::fabs(value), &binary_exponent);  // value = mantissa × 2^e, mantissa in [0.5, 1)
  // Base 16: value = fraction × 16^exponent with fraction in [1/16, 1).
  int exponent = (binary_exponent + 3) / 4;
  if (binary_exponent + 3 < 0 && (binary_exponent + 3) % 4 != 0) --exponent;  // floor division for negatives
  const double fraction = std::ldexp(mantissa, binary_exponent - 4 * exponent);
  auto scaled = static_cast<std::uint64_t>(std::llround(std::ldexp(fraction, fraction_bits)));
  if (scaled >> fraction_bits != 0) {  // rounded up to 1.0: renormalise
    scaled >>= 4;
    ++exponent;
  }
  if (exponent + 64 < 0) {
    // Below the smallest normalised value: an unnormalised fraction with exponent 0, as
    // System/360 allows, then zero when even that cannot hold it.
    const int shift = 4 * -(exponent + 64);
    if (shift >= fraction_bits) return std::uint64_t{0};
    scaled >>= shift;
    exponent = -64;
  }
  if (exponent + 64 > 127) return std::nullopt;
  return (negative ? std::uint64_t{1} << top : 0) | static_cast<std::uint64_t>(exponent + 64) << fraction_bits | scaled;
}

std::optional<FieldProblem> decode_float(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options,
                                         Record& record) {
  const bool single = node.usage == Usage::float_single;
  double value = 0;
  switch (options.float_format) {
    case FloatFormat::ibm_hexadecimal:
      value = ibm_hex_to_double(read_unsigned(bytes, ByteOrder::big_endian), single);
      break;
    case FloatFormat::ieee_big_endian:
    case FloatFormat::ieee_little_endian: {
      const std::uint64_t bits = read_unsigned(bytes, options.float_format == FloatFormat::ieee_big_endian ? ByteOrder::big_endian
                                                                                                          : ByteOrder::little_endian);
      if (single) {
        float narrow = 0;
        const auto bits32 = static_cast<std::uint32_t>(bits);
        std::memcpy(&narrow, &bits32, sizeof narrow);
        value = narrow;
      } else {
        std::memcpy(&value, &bits, sizeof value);
      }
      break;
    }
  }
  RecordEntry& entry = record.add(EntryKind::value, &node, 0);
  entry.value_kind = ValueKind::floating;
  entry.floating = value;
  return std::nullopt;
}

// ---- Text ----

std::optional<FieldProblem> decode_text(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options,
                                        Record& record) {
  if (options.trim_trailing_spaces && node.code_page != CodePage::utf8) {
    const char space = static_cast<char>(space_of(node.code_page));
    while (!bytes.empty() && bytes.back() == space) bytes.remove_suffix(1);
  }
  std::string& arena = record.text_arena();
  const std::size_t begin = arena.size();
  if (const auto unmappable = append_as_utf8(node.code_page, bytes, arena)) {
    arena.resize(begin);
    return problem(LegacyErrorCode::unmappable_byte, unmappable->offset,
                   "byte " + hex_byte(unmappable->byte) + " is not a character of " + std::string(code_page_name(node.code_page)));
  }
  if (options.trim_trailing_spaces && node.code_page == CodePage::utf8) {
    while (arena.size() > begin && arena.back() == ' ') arena.pop_back();
  }
  RecordEntry& entry = record.add(EntryKind::value, &node, 0);
  entry.value_kind = ValueKind::text;
  entry.text_begin = static_cast<std::uint32_t>(begin);
  entry.text_length = static_cast<std::uint32_t>(arena.size() - begin);
  return std::nullopt;
}

// ---- Numeric-edited ----

/// True at the digit positions of an edited picture: 9, Z, *, and every symbol of a floating
/// string (+++, ---, $$$) but its first.
bool is_digit_position(const std::string& symbols, std::size_t at) {
  const char c = symbols[at];
  if (c == '9' || c == 'Z' || c == '*') return true;
  if (c == '+' || c == '-' || c == '$') return at > 0 && symbols[at - 1] == c;
  return false;
}

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
    if (is_digit_position(symbols, at)) {
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

// ---- Encoding ----

/// The value of a numeric entry at the field's scale, or a problem.
std::optional<FieldProblem> numeric_value(const LayoutNode& node, const RecordEntry& entry, Int128& value) {
  if (entry.value_kind != ValueKind::decimal) return problem(LegacyErrorCode::wrong_value_type, 0, "a number is required");
  const auto rescaled = rescale(entry.unscaled, entry.scale, node.picture.scale);
  if (!rescaled) return problem(LegacyErrorCode::value_out_of_range, 0, "more decimals than PIC " + node.picture.symbols + " holds");
  value = *rescaled;
  if (value < 0 && !node.picture.is_signed) return problem(LegacyErrorCode::sign_not_allowed, 0, "negative value for an unsigned field");
  return std::nullopt;
}

/// |value| as exactly `count` decimal digits, or false when it has more.
bool digits_of(Int128 value, int count, char* out) {
  UnsignedInt128 magnitude = value < 0 ? UnsignedInt128(0) - static_cast<UnsignedInt128>(value) : static_cast<UnsignedInt128>(value);
  for (int at = count - 1; at >= 0; --at) {
    out[at] = static_cast<char>(magnitude % 10);
    magnitude /= 10;
  }
  return magnitude == 0;
}

std::optional<FieldProblem> encode_zoned(const LayoutNode& node, const RecordEntry& entry, const CopybookOptions& options, char* output) {
  const bool ebcdic = is_ebcdic(node.code_page);
  if (entry.value_kind == ValueKind::null) {
    std::memset(output, space_of(node.code_page), node.size);
    return std::nullopt;
  }
  Int128 value = 0;
  if (auto bad = numeric_value(node, entry, value)) return bad;
  const int count = node.picture.digits;
  char digits[max_decimal_digits];
  if (!digits_of(value, count, digits)) return problem(LegacyErrorCode::value_out_of_range, 0, "more digits than PIC " + node.picture.symbols);
  const bool negative = value < 0;
  char* digit_out = output;
  if (node.sign_separate) {
    const char sign = static_cast<char>(byte_of(node.code_page, negative ? '-' : '+'));
    if (node.sign_position == SignPosition::leading) {
      *output = sign;
      digit_out = output + 1;
    } else {
      output[count] = sign;
    }
  }
  for (int at = 0; at < count; ++at) digit_out[at] = static_cast<char>(ebcdic ? 0xF0 + digits[at] : '0' + digits[at]);
  if (node.sign_separate || !node.picture.is_signed) return std::nullopt;
  const int sign_at = node.sign_position == SignPosition::leading ? 0 : count - 1;
  const int digit = digits[sign_at];
  char& overpunched = digit_out[sign_at];
  if (ebcdic) {
    overpunched = static_cast<char>((negative ? 0xD0 : 0xC0) + digit);
  } else if (options.ascii_overpunch == AsciiOverpunch::gnucobol) {
    if (negative) overpunched = static_cast<char>('p' + digit);
  } else {
    overpunched = negative ? (digit == 0 ? '}' : static_cast<char>('J' + digit - 1)) : (digit == 0 ? '{' : static_cast<char>('A' + digit - 1));
  }
  return std::nullopt;
}

std::optional<FieldProblem> encode_packed(const LayoutNode& node, const RecordEntry& entry, char* output) {
  Int128 value = 0;
  if (auto bad = numeric_value(node, entry, value)) return bad;
  const int nibbles = static_cast<int>(node.size * 2 - 1);
  char digits[max_decimal_digits + 2];
  if (digits_of(value, node.picture.digits, digits) == false || !digits_of(value, nibbles, digits)) {
    return problem(LegacyErrorCode::value_out_of_range, 0, "more digits than PIC " + node.picture.symbols);
  }
  const unsigned sign = !node.picture.is_signed ? 0xF : value < 0 ? 0xD : 0xC;
  for (std::size_t at = 0; at < node.size; ++at) {
    const auto high = static_cast<unsigned>(digits[2 * at]);
    const unsigned low = at + 1 == node.size ? sign : static_cast<unsigned>(digits[2 * at + 1]);
    output[at] = static_cast<char>(high << 4 | low);
  }
  return std::nullopt;
}

std::optional<FieldProblem> encode_binary(const LayoutNode& node, const RecordEntry& entry, const CopybookOptions& options, char* output) {
  Int128 value = 0;
  if (auto bad = numeric_value(node, entry, value)) return bad;
  const bool native = node.usage == Usage::native_binary;
  const unsigned bits = static_cast<unsigned>(node.size * 8);
  const Int128 limit = native ? (static_cast<Int128>(1) << (node.picture.is_signed ? bits - 1 : bits)) : power_of_ten(node.picture.digits);
  const Int128 lowest = native && node.picture.is_signed ? -limit : node.picture.is_signed ? -limit + 1 : 0;
  if (value >= limit || value < lowest) {
    return problem(LegacyErrorCode::value_out_of_range, 0, decimal_to_string(value, 0) + " does not fit " + std::to_string(node.size) + " bytes of PIC " + node.picture.symbols);
  }
  auto raw = static_cast<std::uint64_t>(static_cast<UnsignedInt128>(value));
  const ByteOrder order = native ? options.native_binary_order : ByteOrder::big_endian;
  for (std::size_t at = 0; at < node.size; ++at) {
    const std::size_t position = order == ByteOrder::big_endian ? node.size - 1 - at : at;
    output[position] = static_cast<char>(raw & 0xFF);
    raw >>= 8;
  }
  return std::nullopt;
}

std::optional<FieldProblem> encode_float(const LayoutNode& node, const RecordEntry& entry, const CopybookOptions& options, char* output) {
  double value = 0;
  if (entry.value_kind == ValueKind::floating) {
    value = entry.floating;
  } else if (entry.value_kind == ValueKind::decimal) {
    value = static_cast<double>(entry.unscaled) / std::pow(10.0, entry.scale);
  } else {
    return problem(LegacyErrorCode::wrong_value_type, 0, "a number is required");
  }
  const bool single = node.usage == Usage::float_single;
  std::uint64_t bits = 0;
  ByteOrder order = ByteOrder::big_endian;
  if (options.float_format == FloatFormat::ibm_hexadecimal) {
    const auto converted = double_to_ibm_hex(value, single);
    if (!converted) return problem(LegacyErrorCode::value_out_of_range, 0, "beyond the range of IBM hexadecimal floating point");
    bits = *converted;
  } else {
    if (options.float_format == FloatFormat::ieee_little_endian) order = ByteOrder::little_endian;
    if (single) {
      const auto narrow = static_cast<float>(value);
      std::uint32_t bits32 = 0;
      std::memcpy(&bits32, &narrow, sizeof bits32);
      bits = bits32;
    } else {
      std::memcpy(&bits, &value, sizeof bits);
    }
  }
  for (std::size_t at = 0; at < node.size; ++at) {
    const std::size_t position = order == ByteOrder::big_endian ? node.size - 1 - at : at;
    output[position] = static_cast<char>(bits & 0xFF);
    bits >>= 8;
  }
  return std::nullopt;
}

std::optional<FieldProblem> encode_text(const LayoutNode& node, const Record& record, const RecordEntry& entry, char* output) {
  if (entry.value_kind != ValueKind::text) return problem(LegacyErrorCode::wrong_value_type, 0, "text is required");
  std::string bytes;
  if (const auto unmappable = append_from_utf8(node.code_page, record.text(entry), bytes)) {
    return problem(LegacyErrorCode::unmappable_character, unmappable->offset,
                   "U+" + std::to_string(static_cast<std::uint32_t>(unmappable->code_point)) + " has no byte in " + std::string(code_page_name(node.code_page)));
  }
  if (bytes.size() > node.size) {
    return problem(LegacyErrorCode::value_out_of_range, node.size, std::to_string(bytes.size()) + " bytes of text for a field of " + std::to_string(node.size));
  }
  std::memcpy(output, bytes.data(), bytes.size());
  std::memset(output + bytes.size(), space_of(node.code_page), node.size - bytes.size());
  return std::nullopt;
}

/// Writes a value through an edited picture: suppression (Z, *), insertion (, . B 0 /), fixed
/// and floating signs and currency, CR/DB.
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
    if (is_digit_position(symbols, at)) {
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
      text[at] = significant || symbols.find('9', at) != std::string::npos ? '.' : fill;
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

}  // namespace

std::optional<FieldProblem> decode_field(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options, Record& record) {
  switch (node.usage) {
    case Usage::display:
      switch (node.picture.category) {
        case PictureCategory::alphanumeric: return decode_text(node, bytes, options, record);
        case PictureCategory::numeric: return decode_zoned(node, bytes, record);
        case PictureCategory::numeric_edited: return decode_edited(node, bytes, record);
      }
      break;
    case Usage::packed: return decode_packed(node, bytes, record);
    case Usage::binary:
    case Usage::native_binary: return decode_binary(node, bytes, options, record);
    case Usage::float_single:
    case Usage::float_double: return decode_float(node, bytes, options, record);
  }
  return std::nullopt;
}

std::optional<FieldProblem> encode_field(const LayoutNode& node, const Record& record, const RecordEntry& entry,
                                         const CopybookOptions& options, char* output) {
  switch (node.usage) {
    case Usage::display:
      switch (node.picture.category) {
        case PictureCategory::alphanumeric: return encode_text(node, record, entry, output);
        case PictureCategory::numeric: return encode_zoned(node, entry, options, output);
        case PictureCategory::numeric_edited: return encode_edited(node, entry, output);
      }
      break;
    case Usage::packed: return encode_packed(node, entry, output);
    case Usage::binary:
    case Usage::native_binary: return encode_binary(node, entry, options, output);
    case Usage::float_single:
    case Usage::float_double: return encode_float(node, entry, options, output);
  }
  return std::nullopt;
}

}  // namespace pse::legacy

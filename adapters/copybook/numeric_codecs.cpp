// Zoned decimal (DISPLAY), packed decimal (COMP-3) and binary (COMP, COMP-5) fields.
#include "adapters/copybook/field_codec_support.hpp"

#include <cstring>

namespace pse::legacy::codec {
namespace {

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

}  // namespace

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

}  // namespace pse::legacy::codec

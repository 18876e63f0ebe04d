// Helpers shared by the field codecs (internal to adapters/copybook): problems with offsets,
// digit accumulation in 64 or 128 bits, and the checks every numeric encoder makes.
#pragma once

#include "adapters/copybook/field_codec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pse::legacy::codec {

inline std::string hex_byte(unsigned value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  return std::string("0x") + hex[(value >> 4) & 0xF] + hex[value & 0xF];
}

inline FieldProblem problem(LegacyErrorCode code, std::size_t offset, std::string message) {
  return FieldProblem{code, offset, std::move(message)};
}

inline std::uint8_t space_of(CodePage page) { return is_ebcdic(page) ? 0x40 : 0x20; }

inline bool all_bytes(std::string_view bytes, std::uint8_t value) {
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

inline std::uint64_t read_unsigned(std::string_view bytes, ByteOrder order) {
  std::uint64_t value = 0;
  if (order == ByteOrder::big_endian) {
    for (const char c : bytes) value = value << 8 | static_cast<std::uint8_t>(c);
  } else {
    for (std::size_t at = bytes.size(); at-- > 0;) value = value << 8 | static_cast<std::uint8_t>(bytes[at]);
  }
  return value;
}


/// The value of a numeric entry at the field's scale, or a problem.
inline std::optional<FieldProblem> numeric_value(const LayoutNode& node, const RecordEntry& entry, Int128& value) {
  if (entry.value_kind != ValueKind::decimal) return problem(LegacyErrorCode::wrong_value_type, 0, "a number is required");
  const auto rescaled = rescale(entry.unscaled, entry.scale, node.picture.scale);
  if (!rescaled) return problem(LegacyErrorCode::value_out_of_range, 0, "more decimals than PIC " + node.picture.symbols + " holds");
  value = *rescaled;
  if (value < 0 && !node.picture.is_signed) return problem(LegacyErrorCode::sign_not_allowed, 0, "negative value for an unsigned field");
  return std::nullopt;
}

/// |value| as exactly `count` decimal digits, or false when it has more.
inline bool digits_of(Int128 value, int count, char* out) {
  UnsignedInt128 magnitude = value < 0 ? UnsignedInt128(0) - static_cast<UnsignedInt128>(value) : static_cast<UnsignedInt128>(value);
  for (int at = count - 1; at >= 0; --at) {
    out[at] = static_cast<char>(magnitude % 10);
    magnitude /= 10;
  }
  return magnitude == 0;
}

// Each pair below lives in its own file: numeric_codecs.cpp (zoned, packed, binary),
// float_codec.cpp, text_codec.cpp, edited_codec.cpp.
std::optional<FieldProblem> decode_zoned(const LayoutNode& node, std::string_view bytes, Record& record);
std::optional<FieldProblem> encode_zoned(const LayoutNode& node, const RecordEntry& entry, const CopybookOptions& options, char* output);
std::optional<FieldProblem> decode_packed(const LayoutNode& node, std::string_view bytes, Record& record);
std::optional<FieldProblem> encode_packed(const LayoutNode& node, const RecordEntry& entry, char* output);
std::optional<FieldProblem> decode_binary(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options, Record& record);
std::optional<FieldProblem> encode_binary(const LayoutNode& node, const RecordEntry& entry, const CopybookOptions& options, char* output);
std::optional<FieldProblem> decode_float(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options, Record& record);
std::optional<FieldProblem> encode_float(const LayoutNode& node, const RecordEntry& entry, const CopybookOptions& options, char* output);
std::optional<FieldProblem> decode_text(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options, Record& record);
std::optional<FieldProblem> encode_text(const LayoutNode& node, const Record& record, const RecordEntry& entry, char* output);
std::optional<FieldProblem> decode_edited(const LayoutNode& node, std::string_view bytes, Record& record);
std::optional<FieldProblem> encode_edited(const LayoutNode& node, const RecordEntry& entry, char* output);

}  // namespace pse::legacy::codec

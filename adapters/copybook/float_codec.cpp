// COMP-1 and COMP-2: IBM hexadecimal floating point (System/360) or IEEE 754.
#include "adapters/copybook/field_codec_support.hpp"

#include <cmath>
#include <cstring>

namespace pse::legacy::codec {
namespace {

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

}  // namespace

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

}  // namespace pse::legacy::codec

#include "adapters/copybook/decimal.hpp"

#include <algorithm>
#include <array>

namespace pse::legacy {
namespace {

constexpr std::array<Int128, 39> powers = [] {
  std::array<Int128, 39> table{};
  table[0] = 1;
  for (std::size_t at = 1; at < table.size(); ++at) table[at] = table[at - 1] * 10;
  return table;
}();

UnsignedInt128 magnitude(Int128 value) {
  return value < 0 ? UnsignedInt128(0) - static_cast<UnsignedInt128>(value) : static_cast<UnsignedInt128>(value);
}

}  // namespace

Int128 power_of_ten(int exponent) noexcept { return powers[static_cast<std::size_t>(std::clamp(exponent, 0, 38))]; }

int digit_count(Int128 value) noexcept {
  const UnsignedInt128 absolute = magnitude(value);
  int count = 1;
  while (count < 39 && absolute >= static_cast<UnsignedInt128>(powers[static_cast<std::size_t>(count)])) ++count;
  return count;
}

void append_decimal(Int128 unscaled, int scale, std::string& output) {
  UnsignedInt128 absolute = magnitude(unscaled);
  // Digits are produced from the right into a small buffer and appended in a few calls: one
  // push_back per character is the slow part of writing JSON.
  char digits[48];
  int length = 0;
  if (absolute <= UINT64_MAX) {  // the common case, in 64-bit arithmetic
    auto small = static_cast<std::uint64_t>(absolute);
    do {
      digits[47 - length++] = static_cast<char>('0' + small % 10);
      small /= 10;
    } while (small != 0);
  } else {
    do {
      digits[47 - length++] = static_cast<char>('0' + static_cast<int>(absolute % 10));
      absolute /= 10;
    } while (absolute != 0);
  }
  const char* first = digits + 48 - length;
  if (unscaled < 0) output.push_back('-');
  if (scale <= 0) {
    output.append(first, static_cast<std::size_t>(length));
    if (unscaled != 0) output.append(static_cast<std::size_t>(-scale), '0');
    return;
  }
  if (length <= scale) {
    output.append("0.");
    output.append(static_cast<std::size_t>(scale - length), '0');
    output.append(first, static_cast<std::size_t>(length));
    return;
  }
  output.append(first, static_cast<std::size_t>(length - scale));
  output.push_back('.');
  output.append(first + length - scale, static_cast<std::size_t>(scale));
}

std::string decimal_to_string(Int128 unscaled, int scale) {
  std::string text;
  append_decimal(unscaled, scale, text);
  return text;
}

std::optional<ParsedDecimal> parse_decimal(std::string_view text) noexcept {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  Int128 value = 0;
  int scale = 0;
  int digits = 0;
  bool seen_point = false;
  for (const char c : text) {
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (++digits > max_decimal_digits) return std::nullopt;
    value = value * 10 + (c - '0');
    if (seen_point) ++scale;
  }
  if (digits == 0) return std::nullopt;
  return ParsedDecimal{negative ? -value : value, scale};
}

std::optional<Int128> rescale(Int128 unscaled, int from_scale, int to_scale) noexcept {
  if (to_scale == from_scale) return unscaled;
  if (to_scale > from_scale) {
    const int shift = to_scale - from_scale;
    if (shift > max_decimal_digits || digit_count(unscaled) + shift > max_decimal_digits) return std::nullopt;
    return unscaled * power_of_ten(shift);
  }
  const int shift = from_scale - to_scale;
  if (shift > max_decimal_digits) return unscaled == 0 ? std::optional<Int128>(0) : std::nullopt;
  const Int128 divisor = power_of_ten(shift);
  if (unscaled % divisor != 0) return std::nullopt;
  return unscaled / divisor;
}

}  // namespace pse::legacy

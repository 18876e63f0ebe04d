// The byte -> Unicode tables of the single-byte code pages, as data (see generate_tables.py).
#pragma once

#include <array>
#include <cstdint>

namespace pse::legacy::tables {

/// Code point of each byte value; `unmapped` for a byte the page leaves undefined.
using ByteTable = std::array<std::uint16_t, 256>;
inline constexpr std::uint16_t unmapped = 0xFFFF;

extern const ByteTable ebcdic_037;
extern const ByteTable ebcdic_500;
extern const ByteTable ebcdic_297;
extern const ByteTable ebcdic_1047;
extern const ByteTable ebcdic_1140;
extern const ByteTable ebcdic_1147;
extern const ByteTable windows_1252;

}  // namespace pse::legacy::tables

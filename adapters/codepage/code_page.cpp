// Conversion between the supported code pages and UTF-8. Decoding is on the hot path of every
// text field, so each single-byte page is expanded once into a table of ready-made UTF-8
// sequences; encoding (rarer) searches a sorted reverse table.
#include "adapters/codepage/code_page.hpp"

#include "adapters/codepage/code_page_tables.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace pse::legacy {
namespace {

constexpr std::size_t page_count = 10;

std::size_t index_of(CodePage page) { return static_cast<std::size_t>(page); }

/// The code point of byte `value` in a single-byte page, or tables::unmapped.
std::uint16_t code_point_of(CodePage page, std::uint8_t value) {
  switch (page) {
    case CodePage::ebcdic_037: return tables::ebcdic_037[value];
    case CodePage::ebcdic_500: return tables::ebcdic_500[value];
    case CodePage::ebcdic_297: return tables::ebcdic_297[value];
    case CodePage::ebcdic_1047: return tables::ebcdic_1047[value];
    case CodePage::ebcdic_1140: return tables::ebcdic_1140[value];
    case CodePage::ebcdic_1147: return tables::ebcdic_1147[value];
    case CodePage::windows_1252: return tables::windows_1252[value];
    case CodePage::ascii: return value < 0x80 ? value : tables::unmapped;
    case CodePage::latin1: return value;
    case CodePage::utf8: break;
  }
  return tables::unmapped;
}

/// A byte's UTF-8 sequence (at most 3 bytes: every table entry is in the Basic Multilingual Plane).
struct Utf8Sequence {
  std::array<char, 3> bytes{};
  std::uint8_t length = 0;  // 0: the byte is undefined in the page
};
using Utf8Table = std::array<Utf8Sequence, 256>;

Utf8Sequence utf8_of(std::uint16_t code_point) {
  Utf8Sequence sequence;
  if (code_point == tables::unmapped) return sequence;
  if (code_point < 0x80) {
    sequence.bytes[0] = static_cast<char>(code_point);
    sequence.length = 1;
  } else if (code_point < 0x800) {
    sequence.bytes[0] = static_cast<char>(0xC0 | (code_point >> 6));
    sequence.bytes[1] = static_cast<char>(0x80 | (code_point & 0x3F));
    sequence.length = 2;
  } else {
    sequence.bytes[0] = static_cast<char>(0xE0 | (code_point >> 12));
    sequence.bytes[1] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    sequence.bytes[2] = static_cast<char>(0x80 | (code_point & 0x3F));
    sequence.length = 3;
  }
  return sequence;
}

const Utf8Table& utf8_table(CodePage page) {
  static const std::array<Utf8Table, page_count> all = [] {
    std::array<Utf8Table, page_count> built{};
    for (std::size_t each = 0; each < page_count; ++each) {
      for (unsigned value = 0; value < 256; ++value) {
        built[each][value] = utf8_of(code_point_of(static_cast<CodePage>(each), static_cast<std::uint8_t>(value)));
      }
    }
    return built;
  }();
  return all[index_of(page)];
}

/// (code point, byte) pairs sorted by code point, for encoding.
using ReverseTable = std::vector<std::pair<char32_t, std::uint8_t>>;

const ReverseTable& reverse_table(CodePage page) {
  static const std::array<ReverseTable, page_count> all = [] {
    std::array<ReverseTable, page_count> built{};
    for (std::size_t each = 0; each < page_count; ++each) {
      for (unsigned value = 0; value < 256; ++value) {
        const auto point = code_point_of(static_cast<CodePage>(each), static_cast<std::uint8_t>(value));
        if (point != tables::unmapped) built[each].emplace_back(point, static_cast<std::uint8_t>(value));
      }
      std::sort(built[each].begin(), built[each].end());
    }
    return built;
  }();
  return all[index_of(page)];
}

/// Length of the valid UTF-8 sequence starting at `bytes[at]` and its code point, or 0 if invalid
/// (truncated, overlong, surrogate, or beyond U+10FFFF).
std::size_t utf8_sequence(std::string_view bytes, std::size_t at, char32_t& code_point) {
  const auto lead = static_cast<unsigned char>(bytes[at]);
  std::size_t length = 0;
  char32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    length = 2, minimum = 0x80, code_point = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, minimum = 0x800, code_point = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, minimum = 0x10000, code_point = lead & 0x07u;
  } else {
    return 0;
  }
  if (at + length > bytes.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(bytes[at + i]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3Fu);
  }
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
  return length;
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (auto& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

}  // namespace

std::string_view code_page_name(CodePage page) noexcept {
  switch (page) {
    case CodePage::ebcdic_037: return "cp037";
    case CodePage::ebcdic_500: return "cp500";
    case CodePage::ebcdic_297: return "cp297";
    case CodePage::ebcdic_1047: return "cp1047";
    case CodePage::ebcdic_1140: return "cp1140";
    case CodePage::ebcdic_1147: return "cp1147";
    case CodePage::ascii: return "ascii";
    case CodePage::latin1: return "latin1";
    case CodePage::windows_1252: return "windows-1252";
    case CodePage::utf8: return "utf-8";
  }
  return "unknown";
}

std::optional<CodePage> code_page_from_name(std::string_view name) noexcept {
  std::string key = lower(name);
  // "IBM-037", "ibm037", "cp037", "ebcdic-037" and "037" all name the same page.
  for (const std::string_view prefix : {"ebcdic-", "ebcdic", "ibm-", "ibm", "cp-", "cp"}) {
    if (key.starts_with(prefix) && key.size() > prefix.size() && std::isdigit(static_cast<unsigned char>(key[prefix.size()]))) {
      key = key.substr(prefix.size());
      break;
    }
  }
  if (key == "037" || key == "37") return CodePage::ebcdic_037;
  if (key == "500") return CodePage::ebcdic_500;
  if (key == "297") return CodePage::ebcdic_297;
  if (key == "1047") return CodePage::ebcdic_1047;
  if (key == "1140") return CodePage::ebcdic_1140;
  if (key == "1147") return CodePage::ebcdic_1147;
  if (key == "ascii" || key == "us-ascii") return CodePage::ascii;
  if (key == "latin1" || key == "latin-1" || key == "iso-8859-1" || key == "iso8859-1") return CodePage::latin1;
  if (key == "1252" || key == "windows-1252" || key == "windows1252") return CodePage::windows_1252;
  if (key == "utf-8" || key == "utf8") return CodePage::utf8;
  return std::nullopt;
}

bool is_ebcdic(CodePage page) noexcept { return page <= CodePage::ebcdic_1147; }

std::optional<UnmappableByte> append_as_utf8(CodePage page, std::string_view bytes, std::string& output) {
  if (page == CodePage::utf8) {
    for (std::size_t at = 0; at < bytes.size();) {
      char32_t point = 0;
      const auto length = utf8_sequence(bytes, at, point);
      if (length == 0) return UnmappableByte{at, static_cast<std::uint8_t>(bytes[at])};
      at += length;
    }
    output.append(bytes);
    return std::nullopt;
  }
  const Utf8Table& table = utf8_table(page);
  // First pass: the exact output length, and the first undefined byte. Sizing the output once
  // (rather than for the worst case of 3 bytes per byte) keeps std::string from zero-filling
  // memory that is then overwritten.
  std::size_t length = 0;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    const std::uint8_t sequence_length = table[static_cast<unsigned char>(bytes[at])].length;
    if (sequence_length == 0) {
      // Keep the promise of the header: the text before the bad byte is decoded.
      append_as_utf8(page, bytes.substr(0, at), output);
      return UnmappableByte{at, static_cast<std::uint8_t>(bytes[at])};
    }
    length += sequence_length;
  }
  const std::size_t start = output.size();
  output.resize(start + length + 2);  // 2 bytes of slack: every sequence is copied as 3 bytes
  char* out = output.data() + start;
  for (const char c : bytes) {
    const Utf8Sequence& sequence = table[static_cast<unsigned char>(c)];
    // Copying all three bytes unconditionally is cheaper than branching on the length.
    out[0] = sequence.bytes[0];
    out[1] = sequence.bytes[1];
    out[2] = sequence.bytes[2];
    out += sequence.length;
  }
  output.resize(start + length);
  return std::nullopt;
}

std::optional<UnmappableCharacter> append_from_utf8(CodePage page, std::string_view utf8, std::string& output) {
  for (std::size_t at = 0; at < utf8.size();) {
    char32_t point = 0;
    const auto length = utf8_sequence(utf8, at, point);
    if (length == 0) return UnmappableCharacter{at, 0xFFFD};
    if (page == CodePage::utf8) {
      output.append(utf8.substr(at, length));
    } else {
      const ReverseTable& table = reverse_table(page);
      const auto found = std::lower_bound(table.begin(), table.end(), std::pair<char32_t, std::uint8_t>{point, 0});
      if (found == table.end() || found->first != point) return UnmappableCharacter{at, point};
      output.push_back(static_cast<char>(found->second));
    }
    at += length;
  }
  return std::nullopt;
}

std::uint8_t byte_of(CodePage page, char ascii_character) noexcept {
  const auto point = static_cast<char32_t>(static_cast<unsigned char>(ascii_character));
  if (page == CodePage::utf8) return static_cast<std::uint8_t>(point);
  const ReverseTable& table = reverse_table(page);
  const auto found = std::lower_bound(table.begin(), table.end(), std::pair<char32_t, std::uint8_t>{point, 0});
  return found != table.end() && found->first == point ? found->second : static_cast<std::uint8_t>(point);
}

}  // namespace pse::legacy

// Code pages of legacy files: EBCDIC (037, 500, 297, 1047, 1140, 1147) and ASCII, Latin-1,
// Windows-1252 and UTF-8, converted to and from UTF-8 text.
//
// Mainframe files carry text in the code page of the system that wrote them, and the same byte
// means different characters in different pages (0xBA is '[' in 037 but 'Ý' in 1047; 0x9F is '¤'
// in 037 but '€' in 1140). A file has one code page; a field may override it. A byte that the page
// does not define is reported with its offset — never replaced by '?' — so that no record is
// altered silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pse::legacy {

enum class CodePage : std::uint8_t {
  ebcdic_037,
  ebcdic_500,
  ebcdic_297,
  ebcdic_1047,
  ebcdic_1140,
  ebcdic_1147,
  ascii,
  latin1,
  windows_1252,
  utf8,
};

/// The canonical name ("cp037", "cp1147", "ascii", "latin1", "windows-1252", "utf-8").
std::string_view code_page_name(CodePage page) noexcept;

/// Accepts the canonical names and the usual spellings ("IBM037", "037", "ibm-1147",
/// "ISO-8859-1", "cp1252", "utf8"), case-insensitively.
std::optional<CodePage> code_page_from_name(std::string_view name) noexcept;

/// True for the EBCDIC pages, whose digits are 0xF0–0xF9 and space is 0x40.
bool is_ebcdic(CodePage page) noexcept;

/// A byte the page does not define, at `offset` in the input given.
struct UnmappableByte {
  std::size_t offset;
  std::uint8_t byte;
};

/// A character of the UTF-8 input that the page cannot represent, at byte `offset` of the input
/// (also used for input that is not valid UTF-8, with code_point 0xFFFD).
struct UnmappableCharacter {
  std::size_t offset;
  char32_t code_point;
};

/// Appends the UTF-8 form of `bytes` to `output`. On an undefined byte (or invalid UTF-8 for the
/// utf8 page) returns it, and `output` holds the text decoded before it.
std::optional<UnmappableByte> append_as_utf8(CodePage page, std::string_view bytes, std::string& output);

/// Appends the bytes of `utf8` in `page` to `output`, or returns the first character it cannot hold.
std::optional<UnmappableCharacter> append_from_utf8(CodePage page, std::string_view utf8,
                                                    std::string& output);

/// The byte of an ASCII character (space, digits, '+', '-', letters) in a single-byte page.
/// Every page PSE supports has these characters.
std::uint8_t byte_of(CodePage page, char ascii_character) noexcept;

}  // namespace pse::legacy

// CopybookLayout: what a COBOL copybook says about the bytes of a record — every field's name,
// offset, size, type, code page, OCCURS and REDEFINES — ready for the decoder and the encoder.
//
// The parser (copybook_parser.hpp) builds it once; decoding a million records then only reads
// it. Offsets are static: for a layout with OCCURS DEPENDING ON they assume every table at its
// maximum, and the decoder shifts what follows a shorter table, as IBM does for a record read
// into storage.
#pragma once

#include "adapters/codepage/code_page.hpp"
#include "adapters/copybook/picture.hpp"
#include "adapters/framing/record_framer.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pse::legacy {

enum class Usage : std::uint8_t {
  display,        ///< one character per position (zoned decimal for numbers)
  binary,         ///< COMP, COMP-4, BINARY: big endian, value truncated to the PIC digits
  native_binary,  ///< COMP-5: full binary range, byte order of the writing machine
  packed,         ///< COMP-3, PACKED-DECIMAL: two digits per byte, sign in the last nibble
  float_single,   ///< COMP-1: 4-byte floating point
  float_double,   ///< COMP-2: 8-byte floating point
};

enum class SignPosition : std::uint8_t { trailing, leading };

/// Floating point format of COMP-1/COMP-2 fields.
enum class FloatFormat : std::uint8_t {
  ibm_hexadecimal,  ///< System/360 hex float, what a mainframe writes
  ieee_big_endian,  ///< IEEE 754 (z/OS FLOAT(NATIVE) off, or Java writers)
  ieee_little_endian,
};

/// How to read the text of DISPLAY numbers in ASCII files. EBCDIC files always use zones C/D/F.
/// Both ASCII overpunch conventions are accepted on reading ('{'/'A'-'I' and '}'/'J'-'R' from
/// converted mainframe files, 'p'-'y' for negatives from GnuCOBOL and Micro Focus); this chooses
/// the one written.
enum class AsciiOverpunch : std::uint8_t { ibm, gnucobol };

/// Chooses which alternative of a REDEFINES is in a record, from the value of an earlier field
/// (the record type of a multi-segment file). Without a selector only the redefined (first)
/// item is decoded.
struct RedefinesSelector {
  std::string redefined_field;  ///< name of the item that others REDEFINE (or of the first 01)
  std::string selector_field;   ///< name of a field before it, e.g. "RECORD-TYPE"
  struct Case {
    std::string value;        ///< selector value as decoded (trimmed text, or decimal text)
    std::string alternative;  ///< name of the item to decode for that value
  };
  std::vector<Case> cases;
};

enum class CopybookFormat : std::uint8_t {
  fixed,  ///< columns 1–6 sequence, 7 indicator, 8–72 code, 73–80 identification
  free,   ///< code anywhere on the line; '*' in column 1 or "*>" start a comment
};

struct CopybookOptions {
  CopybookFormat format = CopybookFormat::fixed;
  CodePage code_page = CodePage::ebcdic_037;  ///< the file's code page
  /// Per-field code pages, by field name; overrides `code_page` for that field and its children.
  std::vector<std::pair<std::string, CodePage>> field_code_pages;
  ByteOrder native_binary_order = ByteOrder::big_endian;  ///< COMP-5 (little endian for x86 writers)
  FloatFormat float_format = FloatFormat::ibm_hexadecimal;
  AsciiOverpunch ascii_overpunch = AsciiOverpunch::ibm;
  std::vector<RedefinesSelector> selectors;
  /// Trailing spaces of text fields are padding in COBOL, not data.
  bool trim_trailing_spaces = true;
};

/// One entry of the copybook (group or elementary item), with its place in the record.
struct LayoutNode {
  std::string name;     ///< "FILLER" for unnamed or FILLER items
  std::string json_key; ///< "\"NAME\":", ready for the JSON writer (COBOL names need no escaping)
  int level = 0;
  std::uint64_t line = 0;  ///< copybook line, for messages
  bool is_filler = false;
  bool is_group = false;

  // Elementary items.
  Usage usage = Usage::display;
  Picture picture;
  bool sign_separate = false;
  SignPosition sign_position = SignPosition::trailing;
  bool blank_when_zero = false;
  CodePage code_page = CodePage::ebcdic_037;
  /// JSON form of a numeric value: a number when it is an integer of at most 15 digits (exact in
  /// every JSON reader), otherwise a string with the exact decimal text.
  bool json_number = false;

  // Place in the record.
  std::size_t offset = 0;  ///< of the first occurrence, from the record start (tables at maximum)
  std::size_t size = 0;    ///< of one occurrence (maximum when it contains a variable table)
  bool variable_size = false;  ///< contains OCCURS DEPENDING ON (its actual size varies)

  // OCCURS.
  bool is_table = false;
  std::uint32_t occurs_min = 1;
  std::uint32_t occurs_max = 1;
  const LayoutNode* depending_on = nullptr;

  // REDEFINES: the redefined item lists itself and every item that redefines it, in order.
  const LayoutNode* redefines = nullptr;
  std::vector<const LayoutNode*> alternatives;
  const RedefinesSelector* selector = nullptr;
  const LayoutNode* selector_field = nullptr;

  /// Index among the values the decoder remembers (OCCURS DEPENDING ON counts), or -1.
  int remembered_slot = -1;

  LayoutNode* parent = nullptr;
  std::vector<std::unique_ptr<LayoutNode>> children;

  /// "ITEMS.PRICE": names from below the record level down to this node.
  std::string path() const;

  /// Bytes the item takes in its group: all occurrences at their maximum, and for an item
  /// others REDEFINE, the longest of its alternatives.
  std::size_t span() const;
};

/// Largest record a layout may describe (IBM's largest is 32,760 bytes for V, more for
/// spanned records); beyond it the copybook is refused rather than allocated.
inline constexpr std::size_t max_record_size = 16 * 1024 * 1024;

class CopybookLayout {
 public:
  /// The record: the 01 item, or a synthetic group whose children are several 01 items that
  /// share the record area (each an alternative of the first).
  const LayoutNode& root() const { return *root_; }
  /// The longest record (tables at their maximum, longest alternative).
  std::size_t record_size() const noexcept { return record_size_; }
  /// True when the layout has OCCURS DEPENDING ON: records vary in length.
  bool variable_size() const noexcept { return root_->variable_size; }
  const CopybookOptions& options() const noexcept { return options_; }
  std::size_t remembered_count() const noexcept { return remembered_count_; }
  std::size_t elementary_count() const noexcept { return elementary_count_; }

  /// The first node of that name (groups and elementary items), or nullptr.
  const LayoutNode* find(std::string_view name) const;

  /// A table of every item: level, name, offset, size, type — for people and golden files.
  std::string describe() const;

 private:
  friend class CopybookParser;
  std::unique_ptr<LayoutNode> root_;
  std::size_t record_size_ = 0;
  std::size_t remembered_count_ = 0;
  std::size_t elementary_count_ = 0;
  CopybookOptions options_;
};

}  // namespace pse::legacy

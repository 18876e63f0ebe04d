// Record: the typed fields of one decoded legacy record — the model the canonical JSON is made
// from, and the one the connector maps onto a classification's fields.
//
// A record is a flat sequence of entries in layout order: values of elementary items, and
// markers where a group or a table begins and ends. Flat, because decoding a million records
// must not allocate per field: the entries and the text arena are reused from record to record,
// so after the first record decoding allocates nothing.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/copybook/decimal.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pse::legacy {

enum class EntryKind : std::uint8_t { value, group_begin, group_end, table_begin, table_end };

enum class ValueKind : std::uint8_t {
  null,      ///< an all-space DISPLAY number (never initialised), or BLANK WHEN ZERO
  text,      ///< UTF-8 text (alphanumeric items)
  decimal,   ///< exact decimal: unscaled × 10^-scale
  floating,  ///< COMP-1/COMP-2
};

struct RecordEntry {
  EntryKind kind = EntryKind::value;
  ValueKind value_kind = ValueKind::null;
  std::int16_t scale = 0;
  std::uint32_t count = 0;        ///< table_begin: the number of occurrences present
  const LayoutNode* node = nullptr;
  std::uint32_t offset = 0;       ///< where the item starts in the record
  std::uint32_t text_begin = 0;   ///< text: position in the record's text arena
  std::uint32_t text_length = 0;
  Int128 unscaled = 0;
  double floating = 0;
};

class Record {
 public:
  const std::vector<RecordEntry>& entries() const noexcept { return entries_; }
  std::string_view text(const RecordEntry& entry) const noexcept {
    return std::string_view(text_).substr(entry.text_begin, entry.text_length);
  }
  /// The first value of an elementary item of that name (outside tables: the only one), or nullptr.
  const RecordEntry* find(std::string_view name) const noexcept;

  void clear() noexcept {
    entries_.clear();
    text_.clear();
  }

  // Building, for the decoder and for callers that encode records they assembled.
  RecordEntry& add(EntryKind kind, const LayoutNode* node, std::uint32_t offset) {
    RecordEntry& entry = entries_.emplace_back();
    entry.kind = kind;
    entry.node = node;
    entry.offset = offset;
    return entry;
  }
  void add_text(const LayoutNode* node, std::string_view utf8);
  void add_decimal(const LayoutNode* node, Int128 unscaled, int scale);
  void add_null(const LayoutNode* node);
  std::string& text_arena() noexcept { return text_; }
  std::vector<RecordEntry>& mutable_entries() noexcept { return entries_; }

 private:
  std::vector<RecordEntry> entries_;
  std::string text_;
};

/// Appends the canonical JSON of a record: an object of the record's items by COBOL name,
/// groups as objects, tables as arrays, FILLER left out, text trimmed of trailing spaces,
/// numbers exact (see LayoutNode::json_number).
void append_json(const Record& record, std::string& output);
std::string to_json(const Record& record);

}  // namespace pse::legacy

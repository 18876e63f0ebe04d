// RecordEncoder: typed fields (a Record) back to one record's bytes, by a CopybookLayout —
// the inverse of RecordDecoder, for records a connector assembles or a decoded record changed.
//
// The record's entries must follow the layout in order, as the decoder produces them; for a
// REDEFINES the entries say which alternative is present. A value that does not fit its field
// is refused with the field's name, never truncated or rounded.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/copybook/record.hpp"
#include "adapters/framing/legacy_error.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pse::legacy {

class RecordEncoder {
 public:
  explicit RecordEncoder(const CopybookLayout& layout);

  /// Writes `record` (entries in layout order, as the decoder produces them) to `output`
  /// (replaced). FILLER and the unused part of a REDEFINES area are filled with spaces.
  std::optional<LegacyError> encode(const Record& record, std::string& output);

 private:
  bool encode_items(const LayoutNode& group, std::size_t start, std::size_t& end);
  bool encode_occurrences(const LayoutNode& node, std::size_t start, std::size_t& end);
  bool encode_one(const LayoutNode& node, std::size_t start, std::size_t& end);
  const RecordEntry* expect(EntryKind kind, const LayoutNode& node, std::size_t offset);
  bool fail(LegacyErrorCode code, const LayoutNode& node, std::size_t offset, std::string message);

  const CopybookLayout& layout_;
  const Record* record_ = nullptr;
  std::string* output_ = nullptr;
  std::size_t position_ = 0;
  std::vector<std::optional<Int128>> counts_;  // OCCURS DEPENDING ON counts written so far
  std::optional<LegacyError> error_;
};

}  // namespace pse::legacy

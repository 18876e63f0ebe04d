// RecordDecoder: one record's bytes to typed fields (a Record), by a CopybookLayout.
//
// It walks the layout in record order with a running offset, so OCCURS DEPENDING ON shifts
// what follows a short table, and REDEFINES decodes the one alternative its selector names.
// Errors carry the field path with subscripts ("ITEMS(3).PRICE") and the byte offset within the
// record; the file reader adds the file name, record number and file offset.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/copybook/record.hpp"
#include "adapters/framing/legacy_error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pse::legacy {

/// What the decoder remembers while walking one record: the OCCURS DEPENDING ON counts.
struct RememberedValue {
  Int128 number = 0;
  bool present = false;  ///< read in this record (a count inside an unchosen alternative is not)
};

class RecordDecoder {
 public:
  /// The layout must outlive the decoder.
  explicit RecordDecoder(const CopybookLayout& layout);

  /// Decodes `bytes` into `record` (cleared first). Bytes beyond the layout are ignored: files
  /// often carry a longer LRECL than the copybook describes.
  std::optional<LegacyError> decode(std::string_view bytes, Record& record);

  /// Bytes used by the last record decoded (less than the layout size with a short ODO table).
  std::size_t last_record_length() const noexcept { return last_length_; }

 private:
  bool decode_items(const LayoutNode& group, std::size_t start, std::size_t& end);
  bool decode_occurrences(const LayoutNode& node, std::size_t start, std::size_t& end);
  bool decode_one(const LayoutNode& node, std::size_t start, std::size_t& end);
  const LayoutNode* choose_alternative(const LayoutNode& base, std::size_t offset);
  void remember(const LayoutNode& node);
  bool fail(LegacyErrorCode code, const LayoutNode& node, std::size_t offset, std::string message);

  const CopybookLayout& layout_;
  std::string_view bytes_;
  Record* record_ = nullptr;
  std::vector<RememberedValue> remembered_;
  std::vector<std::pair<const LayoutNode*, std::uint32_t>> subscripts_;
  std::optional<LegacyError> error_;
  std::size_t last_length_ = 0;
  Record selector_scratch_;  // the selector field, decoded on its own
};

}  // namespace pse::legacy

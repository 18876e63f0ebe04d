// Decoding and encoding of one elementary item: zoned and packed decimal, binary, hex float,
// numeric-edited and text, in the item's code page.
//
// These are the inner loops of the decoder: a success allocates nothing beyond the record's
// reused buffers, and a failure says which byte of the field is wrong and why.
#pragma once

#include "adapters/copybook/copybook_layout.hpp"
#include "adapters/copybook/record.hpp"
#include "adapters/framing/legacy_error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pse::legacy {

/// Why one field could not be decoded or encoded; `offset` is within the field.
struct FieldProblem {
  LegacyErrorCode code;
  std::size_t offset = 0;
  std::string message;
};

/// Decodes `bytes` (exactly node.size of them) and appends the value to `record`.
std::optional<FieldProblem> decode_field(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options,
                                         Record& record);

/// Writes the value `entry` of `record` into `output` (node.size bytes).
std::optional<FieldProblem> encode_field(const LayoutNode& node, const Record& record, const RecordEntry& entry,
                                         const CopybookOptions& options, char* output);

}  // namespace pse::legacy

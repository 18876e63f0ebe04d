// Chooses the codec of an elementary item from its USAGE and picture.
#include "adapters/copybook/field_codec.hpp"

#include "adapters/copybook/field_codec_support.hpp"

namespace pse::legacy {

std::optional<FieldProblem> decode_field(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options, Record& record) {
  switch (node.usage) {
    case Usage::display:
      switch (node.picture.category) {
        case PictureCategory::alphanumeric: return codec::decode_text(node, bytes, options, record);
        case PictureCategory::numeric: return codec::decode_zoned(node, bytes, record);
        case PictureCategory::numeric_edited: return codec::decode_edited(node, bytes, record);
      }
      break;
    case Usage::packed: return codec::decode_packed(node, bytes, record);
    case Usage::binary:
    case Usage::native_binary: return codec::decode_binary(node, bytes, options, record);
    case Usage::float_single:
    case Usage::float_double: return codec::decode_float(node, bytes, options, record);
  }
  return std::nullopt;
}

std::optional<FieldProblem> encode_field(const LayoutNode& node, const Record& record, const RecordEntry& entry,
                                         const CopybookOptions& options, char* output) {
  switch (node.usage) {
    case Usage::display:
      switch (node.picture.category) {
        case PictureCategory::alphanumeric: return codec::encode_text(node, record, entry, output);
        case PictureCategory::numeric: return codec::encode_zoned(node, entry, options, output);
        case PictureCategory::numeric_edited: return codec::encode_edited(node, entry, output);
      }
      break;
    case Usage::packed: return codec::encode_packed(node, entry, output);
    case Usage::binary:
    case Usage::native_binary: return codec::encode_binary(node, entry, options, output);
    case Usage::float_single:
    case Usage::float_double: return codec::encode_float(node, entry, options, output);
  }
  return std::nullopt;
}

}  // namespace pse::legacy

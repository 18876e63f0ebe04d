// Alphanumeric fields: text in the field's code page, trailing padding trimmed.
#include "adapters/copybook/field_codec_support.hpp"

#include <cstring>

namespace pse::legacy::codec {

std::optional<FieldProblem> decode_text(const LayoutNode& node, std::string_view bytes, const CopybookOptions& options,
                                        Record& record) {
  if (options.trim_trailing_spaces && node.code_page != CodePage::utf8) {
    const char space = static_cast<char>(space_of(node.code_page));
    while (!bytes.empty() && bytes.back() == space) bytes.remove_suffix(1);
  }
  std::string& arena = record.text_arena();
  const std::size_t begin = arena.size();
  if (const auto unmappable = append_as_utf8(node.code_page, bytes, arena)) {
    arena.resize(begin);
    return problem(LegacyErrorCode::unmappable_byte, unmappable->offset,
                   "byte " + hex_byte(unmappable->byte) + " is not a character of " + std::string(code_page_name(node.code_page)));
  }
  if (options.trim_trailing_spaces && node.code_page == CodePage::utf8) {
    while (arena.size() > begin && arena.back() == ' ') arena.pop_back();
  }
  RecordEntry& entry = record.add(EntryKind::value, &node, 0);
  entry.value_kind = ValueKind::text;
  entry.text_begin = static_cast<std::uint32_t>(begin);
  entry.text_length = static_cast<std::uint32_t>(arena.size() - begin);
  return std::nullopt;
}

std::optional<FieldProblem> encode_text(const LayoutNode& node, const Record& record, const RecordEntry& entry, char* output) {
  if (entry.value_kind != ValueKind::text) return problem(LegacyErrorCode::wrong_value_type, 0, "text is required");
  std::string bytes;
  if (const auto unmappable = append_from_utf8(node.code_page, record.text(entry), bytes)) {
    return problem(LegacyErrorCode::unmappable_character, unmappable->offset,
                   "U+" + std::to_string(static_cast<std::uint32_t>(unmappable->code_point)) + " has no byte in " + std::string(code_page_name(node.code_page)));
  }
  if (bytes.size() > node.size) {
    return problem(LegacyErrorCode::value_out_of_range, node.size, std::to_string(bytes.size()) + " bytes of text for a field of " + std::to_string(node.size));
  }
  std::memcpy(output, bytes.data(), bytes.size());
  std::memset(output + bytes.size(), space_of(node.code_page), node.size - bytes.size());
  return std::nullopt;
}

/// Writes a value through an edited picture: suppression (Z, *), insertion (, . B 0 /), fixed
/// and floating signs and currency, CR/DB.

}  // namespace pse::legacy::codec

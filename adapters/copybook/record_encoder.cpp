#include "adapters/copybook/record_encoder.hpp"

#include "adapters/copybook/field_codec.hpp"

#include <algorithm>

namespace pse::legacy {

RecordEncoder::RecordEncoder(const CopybookLayout& layout) : layout_(layout), counts_(layout.remembered_count()) {}

std::optional<LegacyError> RecordEncoder::encode(const Record& record, std::string& output) {
  record_ = &record;
  output_ = &output;
  position_ = 0;
  error_.reset();
  for (auto& count : counts_) count.reset();
  const char space = static_cast<char>(is_ebcdic(layout_.options().code_page) ? 0x40 : 0x20);
  output.assign(layout_.record_size(), space);
  std::size_t end = 0;
  const LayoutNode& root = layout_.root();
  const bool ok = root.is_group ? encode_items(root, 0, end) : encode_occurrences(root, 0, end);
  if (!ok) return std::move(error_);
  if (position_ != record.entries().size()) {
    LegacyError error(LegacyErrorCode::wrong_value_type, "the record has entries the layout does not describe");
    error_ = std::move(error);
    return std::move(error_);
  }
  output.resize(end);
  return std::nullopt;
}

bool RecordEncoder::fail(LegacyErrorCode code, const LayoutNode& node, std::size_t offset, std::string message) {
  LegacyError error(code, std::move(message));
  error.byte_offset = offset;
  error.field = node.path().empty() ? node.name : node.path();
  error_ = std::move(error);
  return false;
}

const RecordEntry* RecordEncoder::expect(EntryKind kind, const LayoutNode& node, std::size_t offset) {
  const auto& entries = record_->entries();
  if (position_ >= entries.size() || entries[position_].kind != kind || entries[position_].node != &node) {
    fail(LegacyErrorCode::wrong_value_type, node, offset, "the record has no value for " + node.name + " here");
    return nullptr;
  }
  return &entries[position_++];
}

bool RecordEncoder::encode_items(const LayoutNode& group, std::size_t start, std::size_t& end) {
  std::size_t cursor = start;
  const auto& entries = record_->entries();
  for (const auto& child : group.children) {
    if (child->redefines != nullptr) continue;
    if (!child->alternatives.empty()) {
      // The record says which alternative it holds: the one its next entry belongs to.
      const LayoutNode* chosen = nullptr;
      if (position_ < entries.size()) {
        for (const LayoutNode* alternative : child->alternatives) {
          if (entries[position_].node == alternative) chosen = alternative;
        }
      }
      if (chosen == nullptr) return fail(LegacyErrorCode::wrong_value_type, *child, cursor, "no alternative of " + child->name + " in the record");
      std::size_t ignored = 0;
      if (!encode_occurrences(*chosen, cursor, ignored)) return false;
      cursor += child->span();
      continue;
    }
    if (!encode_occurrences(*child, cursor, cursor)) return false;
  }
  end = cursor;
  return true;
}

bool RecordEncoder::encode_occurrences(const LayoutNode& node, std::size_t start, std::size_t& end) {
  if (!node.is_table) return encode_one(node, start, end);
  std::uint32_t count = node.occurs_max;
  if (!node.is_filler) {
    const RecordEntry* begin = expect(EntryKind::table_begin, node, start);
    if (begin == nullptr) return false;
    count = begin->count;
  }
  if (count < node.occurs_min || count > node.occurs_max) {
    return fail(LegacyErrorCode::occurs_out_of_range, node, start, std::to_string(count) + " occurrences");
  }
  if (node.depending_on != nullptr && counts_[static_cast<std::size_t>(node.depending_on->remembered_slot)] != Int128{count}) {
    return fail(LegacyErrorCode::occurs_out_of_range, node, start,
                std::to_string(count) + " occurrences but " + node.depending_on->name + " says otherwise");
  }
  if (node.depending_on == nullptr && count != node.occurs_max) {
    return fail(LegacyErrorCode::occurs_out_of_range, node, start, "a fixed table needs all its occurrences");
  }
  std::size_t cursor = start;
  for (std::uint32_t index = 0; index < count; ++index) {
    if (!encode_one(node, cursor, cursor)) return false;
  }
  if (!node.is_filler && expect(EntryKind::table_end, node, cursor) == nullptr) return false;
  end = cursor;
  return true;
}

bool RecordEncoder::encode_one(const LayoutNode& node, std::size_t start, std::size_t& end) {
  if (node.is_group) {
    if (node.is_filler) {
      end = start + node.size;
      return true;
    }
    if (expect(EntryKind::group_begin, node, start) == nullptr) return false;
    if (!encode_items(node, start, end)) return false;
    return expect(EntryKind::group_end, node, end) != nullptr;
  }
  end = start + node.size;
  if (node.is_filler) return true;
  const RecordEntry* entry = expect(EntryKind::value, node, start);
  if (entry == nullptr) return false;
  if (end > output_->size()) output_->resize(end, ' ');
  if (auto problem = encode_field(node, *record_, *entry, layout_.options(), output_->data() + start)) {
    return fail(problem->code, node, start + problem->offset, std::move(problem->message));
  }
  if (node.remembered_slot >= 0 && entry->value_kind == ValueKind::decimal) {
    counts_[static_cast<std::size_t>(node.remembered_slot)] = entry->unscaled / power_of_ten(std::max<int>(entry->scale, 0));
  }
  return true;
}

}  // namespace pse::legacy

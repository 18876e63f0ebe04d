#include "adapters/copybook/record_decoder.hpp"

#include "adapters/copybook/field_codec.hpp"

#include <algorithm>
#include <cstring>

namespace pse::legacy {
namespace {

/// "GROUP.TABLE(3).FIELD": the path of `node` with the subscripts of the occurrences being walked.
std::string field_path(const LayoutNode& node, const std::vector<std::pair<const LayoutNode*, std::uint32_t>>& subscripts) {
  std::vector<const LayoutNode*> chain;
  for (const LayoutNode* up = &node; up != nullptr && up->parent != nullptr; up = up->parent) chain.push_back(up);
  if (chain.empty()) return node.name;
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!path.empty()) path += '.';
    path += (*it)->name;
    for (const auto& [table, index] : subscripts) {
      if (table == *it) path += "(" + std::to_string(index + 1) + ")";
    }
  }
  return path;
}

std::string selector_key(const Record& record, const RecordEntry& entry) {
  switch (entry.value_kind) {
    case ValueKind::text: return std::string(record.text(entry));
    case ValueKind::decimal: return decimal_to_string(entry.unscaled, entry.scale);
    case ValueKind::floating:
    case ValueKind::null: break;
  }
  return {};
}

}  // namespace

RecordDecoder::RecordDecoder(const CopybookLayout& layout) : layout_(layout), remembered_(layout.remembered_count()) {}

std::optional<LegacyError> RecordDecoder::decode(std::string_view bytes, Record& record) {
  bytes_ = bytes;
  record_ = &record;
  record.clear();
  subscripts_.clear();
  error_.reset();
  for (RememberedValue& value : remembered_) value.present = false;
  std::size_t end = 0;
  const LayoutNode& root = layout_.root();
  const bool ok = root.is_group ? decode_items(root, 0, end) : decode_occurrences(root, 0, end);
  last_length_ = end;
  if (!ok) return std::move(error_);
  return std::nullopt;
}

bool RecordDecoder::fail(LegacyErrorCode code, const LayoutNode& node, std::size_t offset, std::string message) {
  LegacyError error(code, std::move(message));
  error.byte_offset = offset;
  error.field = field_path(node, subscripts_);
  error_ = std::move(error);
  return false;
}

const LayoutNode* RecordDecoder::choose_alternative(const LayoutNode& base, std::size_t offset) {
  if (base.selector == nullptr) return &base;
  // The selector sits at a static offset (the parser checks that no variable table precedes it),
  // so it is read directly: it may lie inside the area it selects (a record type in each 01).
  const LayoutNode& field = *base.selector_field;
  if (field.offset + field.size > bytes_.size()) {
    fail(LegacyErrorCode::truncated_record, field, std::min(field.offset, bytes_.size()), "the record ends before its selector");
    return nullptr;
  }
  selector_scratch_.clear();
  if (auto problem = decode_field(field, bytes_.substr(field.offset, field.size), layout_.options(), selector_scratch_)) {
    fail(problem->code, field, field.offset + problem->offset, std::move(problem->message));
    return nullptr;
  }
  const std::string key = selector_key(selector_scratch_, selector_scratch_.entries().back());
  for (const auto& selector_case : base.selector->cases) {
    if (selector_case.value == key) {
      for (const LayoutNode* alternative : base.alternatives) {
        if (alternative->name == selector_case.alternative) return alternative;
      }
    }
  }
  fail(LegacyErrorCode::unknown_record_type, base, offset, field.name + " is '" + key + "', which names no alternative of " + base.name);
  return nullptr;
}

bool RecordDecoder::decode_items(const LayoutNode& group, std::size_t start, std::size_t& end) {
  std::size_t cursor = start;
  for (const auto& child : group.children) {
    if (child->redefines != nullptr) continue;  // decoded, if chosen, at the place of the item it redefines
    if (!child->alternatives.empty()) {
      const LayoutNode* chosen = choose_alternative(*child, cursor);
      if (chosen == nullptr) return false;
      std::size_t ignored = 0;
      if (!decode_occurrences(*chosen, cursor, ignored)) return false;
      cursor += child->span();
      continue;
    }
    if (!decode_occurrences(*child, cursor, cursor)) return false;
  }
  end = cursor;
  return true;
}

bool RecordDecoder::decode_occurrences(const LayoutNode& node, std::size_t start, std::size_t& end) {
  if (!node.is_table) return decode_one(node, start, end);
  std::uint32_t count = node.occurs_max;
  if (node.depending_on != nullptr) {
    const RememberedValue& remembered = remembered_[static_cast<std::size_t>(node.depending_on->remembered_slot)];
    if (!remembered.present) {
      return fail(LegacyErrorCode::occurs_out_of_range, node, start,
                  "its count " + node.depending_on->name + " is not in this record (another REDEFINES alternative holds it)");
    }
    const Int128 value = remembered.number;
    if (value < node.occurs_min || value > node.occurs_max) {
      return fail(LegacyErrorCode::occurs_out_of_range, node, start,
                  node.depending_on->name + " is " + decimal_to_string(value, 0) + ", outside OCCURS " +
                      std::to_string(node.occurs_min) + " TO " + std::to_string(node.occurs_max));
    }
    count = static_cast<std::uint32_t>(value);
  }
  if (!node.is_filler) record_->add(EntryKind::table_begin, &node, static_cast<std::uint32_t>(start)).count = count;
  std::size_t cursor = start;
  subscripts_.emplace_back(&node, 0);
  for (std::uint32_t index = 0; index < count; ++index) {
    subscripts_.back().second = index;
    if (!decode_one(node, cursor, cursor)) return false;
  }
  subscripts_.pop_back();
  if (!node.is_filler) record_->add(EntryKind::table_end, &node, static_cast<std::uint32_t>(cursor));
  end = cursor;
  return true;
}

bool RecordDecoder::decode_one(const LayoutNode& node, std::size_t start, std::size_t& end) {
  if (node.is_group) {
    if (node.is_filler && !node.variable_size) {
      end = start + node.size;
      return true;
    }
    if (!node.is_filler) record_->add(EntryKind::group_begin, &node, static_cast<std::uint32_t>(start));
    if (!decode_items(node, start, end)) return false;
    if (!node.is_filler) record_->add(EntryKind::group_end, &node, static_cast<std::uint32_t>(end));
    return true;
  }
  end = start + node.size;
  if (end > bytes_.size()) {
    return fail(LegacyErrorCode::truncated_record, node, std::min(start, bytes_.size()),
                "needs bytes " + std::to_string(start) + " to " + std::to_string(end) + ", the record has " +
                    std::to_string(bytes_.size()));
  }
  if (node.is_filler) return true;
  if (auto problem = decode_field(node, bytes_.substr(start, node.size), layout_.options(), *record_)) {
    return fail(problem->code, node, start + problem->offset, std::move(problem->message));
  }
  RecordEntry& entry = record_->mutable_entries().back();
  entry.offset = static_cast<std::uint32_t>(start);
  if (node.remembered_slot >= 0) {
    RememberedValue& value = remembered_[static_cast<std::size_t>(node.remembered_slot)];
    // An ODO count is an integer: its value at scale 0.
    value.number = entry.value_kind == ValueKind::decimal ? entry.unscaled / power_of_ten(std::max<int>(entry.scale, 0)) : 0;
    value.present = entry.value_kind == ValueKind::decimal;
  }
  return true;
}

}  // namespace pse::legacy

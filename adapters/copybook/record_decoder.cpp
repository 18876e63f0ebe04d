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

std::size_t span_of(const LayoutNode& node) {
  std::size_t span = node.size * node.occurs_max;
  for (const LayoutNode* alternative : node.alternatives) span = std::max(span, alternative->size * alternative->occurs_max);
  return span;
}

}  // namespace

// ---------------------------------------------------------------- decoding

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
      cursor += span_of(*child);
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

// ---------------------------------------------------------------- encoding

RecordEncoder::RecordEncoder(const CopybookLayout& layout) : layout_(layout), remembered_(layout.remembered_count()) {}

std::optional<LegacyError> RecordEncoder::encode(const Record& record, std::string& output) {
  record_ = &record;
  output_ = &output;
  position_ = 0;
  error_.reset();
  for (RememberedValue& value : remembered_) value.present = false;
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
      cursor += span_of(*child);
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
  const RememberedValue* counted = node.depending_on == nullptr ? nullptr : &remembered_[static_cast<std::size_t>(node.depending_on->remembered_slot)];
  if (counted != nullptr && (!counted->present || counted->number != count)) {
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
    RememberedValue& value = remembered_[static_cast<std::size_t>(node.remembered_slot)];
    value.number = entry->unscaled / power_of_ten(std::max<int>(entry->scale, 0));
    value.present = true;
  }
  return true;
}

}  // namespace pse::legacy

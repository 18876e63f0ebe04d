#include "adapters/copybook/record.hpp"

#include <charconv>
#include <cmath>
#include <vector>

namespace pse::legacy {
namespace {

void append_json_string(std::string_view text, std::string& output) {
  output.push_back('"');
  // Most text needs no escaping: copy runs of plain characters in one append.
  std::size_t plain = 0;
  while (plain < text.size()) {
    const auto byte = static_cast<unsigned char>(text[plain]);
    if (byte < 0x20 || byte == '"' || byte == '\\') break;
    ++plain;
  }
  output.append(text.data(), plain);
  for (const char c : text.substr(plain)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      output.push_back('\\');
      output.push_back(c);
    } else if (byte < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      output.append("\\u00");
      output.push_back(hex[byte >> 4]);
      output.push_back(hex[byte & 0xF]);
    } else {
      output.push_back(c);
    }
  }
  output.push_back('"');
}

}  // namespace

const RecordEntry* Record::find(std::string_view name) const noexcept {
  for (const RecordEntry& entry : entries_) {
    if (entry.kind == EntryKind::value && entry.node->name == name) return &entry;
  }
  return nullptr;
}

void Record::add_text(const LayoutNode* node, std::string_view utf8) {
  RecordEntry& entry = add(EntryKind::value, node, 0);
  entry.value_kind = ValueKind::text;
  entry.text_begin = static_cast<std::uint32_t>(text_.size());
  entry.text_length = static_cast<std::uint32_t>(utf8.size());
  text_.append(utf8);
}

void Record::add_decimal(const LayoutNode* node, Int128 unscaled, int scale) {
  RecordEntry& entry = add(EntryKind::value, node, 0);
  entry.value_kind = ValueKind::decimal;
  entry.unscaled = unscaled;
  entry.scale = static_cast<std::int16_t>(scale);
}

void Record::add_null(const LayoutNode* node) { add(EntryKind::value, node, 0); }

void append_json(const Record& record, std::string& output) {
  // One flag per open object or array: whether it holds an element yet (for commas), and
  // whether it is an array (whose elements have no names).
  struct Open {
    bool is_array;
    bool has_element;
  };
  std::vector<Open> open{{false, false}};
  output.push_back('{');
  auto begin_element = [&](const LayoutNode* node) {
    Open& current = open.back();
    if (current.has_element) output.push_back(',');
    current.has_element = true;
    if (!current.is_array) output.append(node->json_key);
  };
  const auto& entries = record.entries();
  for (std::size_t at = 0; at < entries.size(); ++at) {
    const RecordEntry& entry = entries[at];
    switch (entry.kind) {
      case EntryKind::group_begin:
        begin_element(entry.node);
        output.push_back('{');
        open.push_back({false, false});
        break;
      case EntryKind::table_begin:
        begin_element(entry.node);
        output.push_back('[');
        open.push_back({true, false});
        break;
      case EntryKind::group_end:
        output.push_back('}');
        open.pop_back();
        break;
      case EntryKind::table_end:
        output.push_back(']');
        open.pop_back();
        break;
      case EntryKind::value:
        begin_element(entry.node);
        switch (entry.value_kind) {
          case ValueKind::null: output.append("null"); break;
          case ValueKind::text: append_json_string(record.text(entry), output); break;
          case ValueKind::decimal:
            if (entry.node->json_number) {
              append_decimal(entry.unscaled, entry.scale, output);
            } else {
              output.push_back('"');
              append_decimal(entry.unscaled, entry.scale, output);
              output.push_back('"');
            }
            break;
          case ValueKind::floating: {
            if (!std::isfinite(entry.floating)) {
              output.append("null");
              break;
            }
            char buffer[32];
            const auto result = std::to_chars(buffer, buffer + sizeof buffer, entry.floating);
            output.append(buffer, result.ptr);
            break;
          }
        }
        break;
    }
  }
  output.push_back('}');
}

std::string to_json(const Record& record) {
  std::string json;
  append_json(record, json);
  return json;
}

}  // namespace pse::legacy

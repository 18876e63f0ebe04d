#include "adapters/copybook/copybook_layout.hpp"

#include <algorithm>
#include <functional>

namespace pse::legacy {
namespace {

std::string_view usage_name(Usage usage) {
  switch (usage) {
    case Usage::display: return "DISPLAY";
    case Usage::binary: return "COMP";
    case Usage::native_binary: return "COMP-5";
    case Usage::packed: return "COMP-3";
    case Usage::float_single: return "COMP-1";
    case Usage::float_double: return "COMP-2";
  }
  return "?";
}

/// "S9999999V99" -> "S9(7)V99": repeats of four or more written as COBOL does.
std::string compact_picture(const std::string& symbols) {
  std::string text;
  for (std::size_t at = 0; at < symbols.size();) {
    std::size_t run = 1;
    while (at + run < symbols.size() && symbols[at + run] == symbols[at]) ++run;
    if (run >= 4) {
      text += symbols[at];
      text += "(" + std::to_string(run) + ")";
    } else {
      text.append(run, symbols[at]);
    }
    at += run;
  }
  return text;
}

}  // namespace

std::string LayoutNode::path() const {
  if (parent == nullptr) return {};
  const std::string above = parent->path();
  return above.empty() ? name : above + "." + name;
}

std::size_t LayoutNode::span() const {
  std::size_t longest = size * occurs_max;
  for (const LayoutNode* alternative : alternatives) longest = std::max(longest, alternative->size * alternative->occurs_max);
  return longest;
}

const LayoutNode* CopybookLayout::find(std::string_view name) const {
  std::function<const LayoutNode*(const LayoutNode&)> search = [&](const LayoutNode& node) -> const LayoutNode* {
    if (node.name == name) return &node;
    for (const auto& child : node.children) {
      if (const LayoutNode* found = search(*child)) return found;
    }
    return nullptr;
  };
  return search(*root_);
}

std::string CopybookLayout::describe() const {
  std::string text;
  std::function<void(const LayoutNode&, int)> print = [&](const LayoutNode& node, int depth) {
    std::string line(static_cast<std::size_t>(depth) * 2, ' ');
    line += (node.level < 10 ? "0" : "") + std::to_string(node.level) + " " + node.name;
    if (line.size() < 40) line.resize(40, ' ');
    line += " offset " + std::to_string(node.offset) + " size " + std::to_string(node.size);
    if (node.is_table) {
      line += " occurs " + (node.occurs_min != node.occurs_max ? std::to_string(node.occurs_min) + " to " : std::string()) +
              std::to_string(node.occurs_max);
      if (node.depending_on != nullptr) line += " depending on " + node.depending_on->name;
    }
    if (node.redefines != nullptr) line += " redefines " + node.redefines->name;
    if (!node.is_group) {
      line += " ";
      line += node.picture.symbols.empty() ? std::string() : "PIC " + compact_picture(node.picture.symbols) + " ";
      line += usage_name(node.usage);
      if (node.sign_separate) line += node.sign_position == SignPosition::leading ? " SIGN LEADING SEPARATE" : " SIGN TRAILING SEPARATE";
      else if (node.sign_position == SignPosition::leading) line += " SIGN LEADING";
      if (node.code_page != options_.code_page) line += " " + std::string(code_page_name(node.code_page));
    }
    text += line + "\n";
    for (const auto& child : node.children) print(*child, depth + 1);
  };
  print(*root_, 0);
  text += "record size " + std::to_string(record_size_) + (variable_size() ? " (maximum; variable)" : "") + "\n";
  return text;
}

}  // namespace pse::legacy

// From tokens to entries, from entries to a tree by level numbers, then sizes bottom-up and
// offsets top-down. Each step checks what it can, so an error names the line it comes from.
#include "adapters/copybook/copybook_parser.hpp"

#include "adapters/copybook/copybook_lexer.hpp"
#include "adapters/copybook/decimal.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <unordered_map>

namespace pse::legacy {

class CopybookParser {
 public:
  CopybookParser(const CopybookOptions& options, const std::string& name) : name_(name) {
    layout_.options_ = options;
  }

  LegacyResult<CopybookLayout> parse(const std::vector<CopybookToken>& tokens);

 private:
  /// Explicit settings of an entry, before inheritance from its groups.
  struct Entry {
    int level = 0;
    std::string name;
    std::uint64_t line = 0;
    std::optional<std::string> picture;
    std::optional<Usage> usage;
    std::optional<SignPosition> sign_position;
    bool sign_separate = false;
    std::string redefines;
    bool has_occurs = false;
    std::uint32_t occurs_min = 1, occurs_max = 1;
    std::string depending_on;
    bool blank_when_zero = false;
  };

  std::optional<LegacyError> parse_entry(const std::vector<CopybookToken>& tokens, std::size_t begin, std::size_t end);
  std::optional<LegacyError> add_node(Entry entry);
  std::optional<LegacyError> finish_node(LayoutNode& node, const Entry& entry);
  std::optional<LegacyError> resolve_references();
  void compute_sizes(LayoutNode& node);
  void assign_offsets(LayoutNode& node, std::size_t offset);
  std::optional<LegacyError> resolve_selectors();
  LegacyError error(std::uint64_t line, std::string message, LegacyErrorCode code = LegacyErrorCode::copybook_syntax) const;
  LayoutNode* find(std::string_view name);

  const std::string& name_;
  CopybookLayout layout_;
  std::vector<std::pair<LayoutNode*, Entry>> open_;  // the path of groups still open, by level
  std::vector<std::pair<LayoutNode*, Entry>> all_entries_;
  std::vector<LayoutNode*> in_order_;
  const LayoutNode* too_large_ = nullptr;  // the first item whose size passes max_record_size
  std::unordered_map<const LayoutNode*, const Entry*> entry_of_node_;  // for inheritance from groups
};

namespace {

std::string upper(std::string_view text) {
  std::string result(text);
  for (auto& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

std::optional<Usage> usage_of(const std::string& word) {
  if (word == "DISPLAY") return Usage::display;
  if (word == "COMP" || word == "COMPUTATIONAL" || word == "COMP-4" || word == "COMPUTATIONAL-4" || word == "BINARY") {
    return Usage::binary;
  }
  if (word == "COMP-5" || word == "COMPUTATIONAL-5") return Usage::native_binary;
  if (word == "COMP-3" || word == "COMPUTATIONAL-3" || word == "PACKED-DECIMAL") return Usage::packed;
  if (word == "COMP-1" || word == "COMPUTATIONAL-1") return Usage::float_single;
  if (word == "COMP-2" || word == "COMPUTATIONAL-2") return Usage::float_double;
  return std::nullopt;
}

/// Words that start a clause: an entry whose second word is one of them has no name (FILLER).
bool starts_clause(const std::string& word) {
  static const std::array<std::string_view, 22> keywords = {
      "PIC", "PICTURE", "USAGE", "REDEFINES", "OCCURS", "VALUE", "VALUES", "SIGN", "LEADING", "TRAILING",
      "JUSTIFIED", "JUST", "BLANK", "SYNC", "SYNCHRONIZED", "EXTERNAL", "GLOBAL", "INDEX", "POINTER",
      "RENAMES", "COMP-X", "IS"};
  return usage_of(word).has_value() || std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

std::optional<std::uint32_t> number_of(const std::string& word) {
  std::uint32_t value = 0;
  const auto [end, problem] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (problem != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return value;
}

bool is_data_name(const std::string& word) {
  if (word.empty() || word.size() > 30 || word.front() == '-' || word.back() == '-') return false;
  bool letter = false;
  for (const char c : word) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      letter = true;
    } else if (!std::isdigit(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return letter;
}

std::size_t binary_size(int digits) { return digits <= 4 ? 2 : digits <= 9 ? 4 : 8; }

}  // namespace

LegacyError CopybookParser::error(std::uint64_t line, std::string message, LegacyErrorCode code) const {
  LegacyError result(code, std::move(message));
  result.file = name_;
  result.line = line;
  return result;
}

LegacyResult<CopybookLayout> CopybookParser::parse(const std::vector<CopybookToken>& tokens) {
  layout_.root_ = std::make_unique<LayoutNode>();
  layout_.root_->name = "RECORD";
  layout_.root_->json_key = "\"RECORD\":";
  layout_.root_->is_group = true;
  open_.emplace_back(layout_.root_.get(), Entry{});
  std::size_t begin = 0;
  for (std::size_t at = 0; at < tokens.size(); ++at) {
    if (!tokens[at].ends_entry) continue;
    if (at > begin) {
      if (auto problem = parse_entry(tokens, begin, at)) return *problem;
    }
    begin = at + 1;
  }
  if (begin < tokens.size()) return error(tokens.back().line, "the last entry has no closing period");
  if (layout_.root_->children.empty()) return error(0, "no data description entry");

  // One 01 group: it is the record. Several 01 items: they share the record area, like REDEFINES.
  auto& top = layout_.root_->children;
  const bool all_records = std::all_of(top.begin(), top.end(), [](const auto& child) { return child->level == 1 || child->level == 77; });
  if (top.size() == 1 && top.front()->is_group && all_records) {
    auto record = std::move(top.front());
    record->parent = nullptr;
    layout_.root_ = std::move(record);
  } else if (top.size() > 1 && all_records) {
    for (std::size_t i = 1; i < top.size(); ++i) {
      top[i]->redefines = top.front().get();
      top.front()->alternatives.push_back(top[i].get());
    }
    top.front()->alternatives.insert(top.front()->alternatives.begin(), top.front().get());
  }
  for (const auto& [node, entry] : all_entries_) entry_of_node_.emplace(node, &entry);
  for (auto& [node, entry] : all_entries_) {
    if (auto problem = finish_node(*node, entry)) return *problem;
  }
  if (auto problem = resolve_references()) return *problem;
  compute_sizes(*layout_.root_);
  if (too_large_ != nullptr) {
    return error(too_large_->line, too_large_->name + " makes the record larger than " + std::to_string(max_record_size) + " bytes",
                 LegacyErrorCode::copybook_unsupported);
  }
  assign_offsets(*layout_.root_, 0);
  layout_.record_size_ = layout_.root_->size;
  // OCCURS DEPENDING ON counts must be read before their table.
  for (LayoutNode* node : in_order_) {
    if (node->depending_on != nullptr && node->depending_on->offset >= node->offset) {
      return error(node->line, "the count " + node->depending_on->name + " of " + node->name + " must come before the table");
    }
  }
  if (auto problem = resolve_selectors()) return *problem;
  return std::move(layout_);
}

std::optional<LegacyError> CopybookParser::parse_entry(const std::vector<CopybookToken>& tokens, std::size_t begin,
                                                       std::size_t end) {
  const CopybookToken& first = tokens[begin];
  const std::string first_word = upper(first.text);
  if (first_word == "COPY") return error(first.line, "COPY statements are not expanded; inline the copybook", LegacyErrorCode::copybook_unsupported);
  if (first_word == "EJECT" || first_word == "SKIP1" || first_word == "SKIP2" || first_word == "SKIP3") {
    return std::nullopt;  // listing directives
  }
  const auto level = number_of(first.text);
  if (!level || first.is_literal) return error(first.line, "expected a level number, found '" + first.text + "'");
  if (*level == 88 || *level == 66) return std::nullopt;  // condition names and RENAMES: no storage
  if (*level == 0 || (*level > 49 && *level != 77)) return error(first.line, "level " + first.text + " is not 01–49, 66, 77 or 88");

  Entry entry;
  entry.level = *level == 77 ? 1 : static_cast<int>(*level);
  entry.line = first.line;
  std::size_t at = begin + 1;
  if (at < end && !tokens[at].is_literal && !starts_clause(upper(tokens[at].text))) {
    entry.name = upper(tokens[at].text);
    if (entry.name != "FILLER" && !is_data_name(entry.name)) return error(first.line, "'" + tokens[at].text + "' is not a data name");
    ++at;
  } else {
    entry.name = "FILLER";
  }

  auto word_at = [&](std::size_t index) { return index < end && !tokens[index].is_literal ? upper(tokens[index].text) : std::string(); };
  while (at < end) {
    const std::string word = word_at(at);
    const std::uint64_t line = tokens[at].line;
    if (word == "PIC" || word == "PICTURE") {
      ++at;
      if (word_at(at) == "IS") ++at;
      if (at >= end) return error(line, "PIC without a picture string");
      entry.picture = tokens[at].text;
      ++at;
    } else if (word == "USAGE") {
      ++at;
      if (word_at(at) == "IS") ++at;
      const auto usage = usage_of(word_at(at));
      if (!usage) {
        return error(line, "USAGE " + (at < end ? tokens[at].text : std::string()) + " is not supported (DISPLAY, COMP, COMP-1..5, BINARY, PACKED-DECIMAL are)",
                     LegacyErrorCode::copybook_unsupported);
      }
      entry.usage = usage;
      ++at;
    } else if (const auto usage = usage_of(word)) {
      entry.usage = usage;
      ++at;
    } else if (word == "SIGN" || word == "LEADING" || word == "TRAILING") {
      if (word == "SIGN") ++at;
      if (word_at(at) == "IS") ++at;
      const std::string position = word_at(at);
      if (position != "LEADING" && position != "TRAILING") return error(line, "SIGN must be LEADING or TRAILING");
      entry.sign_position = position == "LEADING" ? SignPosition::leading : SignPosition::trailing;
      ++at;
      if (word_at(at) == "SEPARATE") {
        entry.sign_separate = true;
        ++at;
        if (word_at(at) == "CHARACTER") ++at;
      }
    } else if (word == "OCCURS") {
      ++at;
      const auto minimum = number_of(word_at(at));
      if (!minimum) return error(line, "OCCURS needs a count");
      entry.has_occurs = true;
      entry.occurs_min = entry.occurs_max = *minimum;
      ++at;
      if (word_at(at) == "TO") {
        const auto maximum = number_of(word_at(at + 1));
        if (!maximum || *maximum < *minimum) return error(line, "OCCURS ... TO needs a maximum not below the minimum");
        entry.occurs_max = *maximum;
        at += 2;
      }
      if (word_at(at) == "TIMES") ++at;
      if (word_at(at) == "DEPENDING") {
        ++at;
        if (word_at(at) == "ON") ++at;
        if (!is_data_name(word_at(at))) return error(line, "DEPENDING ON needs a data name");
        entry.depending_on = word_at(at);
        ++at;
      }
      if (entry.occurs_max == 0 || entry.occurs_max > 1'000'000) return error(line, "OCCURS maximum must be 1 to 1,000,000");
      // ASCENDING/DESCENDING KEY and INDEXED BY name things the program uses, not storage.
      while (word_at(at) == "ASCENDING" || word_at(at) == "DESCENDING" || word_at(at) == "INDEXED") {
        ++at;
        while (at < end && (word_at(at) == "KEY" || word_at(at) == "IS" || word_at(at) == "BY" ||
                            (is_data_name(word_at(at)) && !starts_clause(word_at(at)) && word_at(at) != "ASCENDING" &&
                             word_at(at) != "DESCENDING" && word_at(at) != "INDEXED"))) {
          ++at;
        }
      }
    } else if (word == "REDEFINES") {
      if (!is_data_name(word_at(at + 1))) return error(line, "REDEFINES needs a data name");
      entry.redefines = word_at(at + 1);
      at += 2;
    } else if (word == "VALUE" || word == "VALUES") {
      // Initial values do not change the layout: skip the literals up to the next clause.
      ++at;
      while (at < end && (tokens[at].is_literal || !starts_clause(word_at(at)) || word_at(at) == "IS")) ++at;
    } else if (word == "JUSTIFIED" || word == "JUST") {
      ++at;
      if (word_at(at) == "RIGHT") ++at;
    } else if (word == "BLANK") {
      ++at;
      if (word_at(at) == "WHEN") ++at;
      const std::string zero = word_at(at);
      if (zero != "ZERO" && zero != "ZEROS" && zero != "ZEROES") return error(line, "BLANK WHEN needs ZERO");
      entry.blank_when_zero = true;
      ++at;
    } else if (word == "EXTERNAL" || word == "GLOBAL") {
      ++at;
    } else if (word == "SYNC" || word == "SYNCHRONIZED") {
      return error(line, "SYNCHRONIZED inserts slack bytes whose placement depends on the compiler; remove it or add explicit FILLER",
                   LegacyErrorCode::copybook_unsupported);
    } else if (word == "INDEX" || word == "POINTER" || word == "COMP-X") {
      return error(line, "USAGE " + word + " is not supported", LegacyErrorCode::copybook_unsupported);
    } else {
      return error(line, "unexpected '" + tokens[at].text + "' in the entry of " + entry.name);
    }
  }
  return add_node(std::move(entry));
}

std::optional<LegacyError> CopybookParser::add_node(Entry entry) {
  while (open_.size() > 1 && open_.back().second.level >= entry.level) open_.pop_back();
  LayoutNode* parent = open_.back().first;
  if (parent != layout_.root_.get() && open_.back().second.picture) {
    return error(entry.line, entry.name + " is under " + parent->name + ", which has a PIC and so cannot be a group");
  }
  auto node = std::make_unique<LayoutNode>();
  node->name = entry.name;
  node->json_key = "\"" + entry.name + "\":";
  node->level = entry.level;
  node->line = entry.line;
  node->is_filler = entry.name == "FILLER";
  node->parent = parent;
  LayoutNode* raw = node.get();
  parent->is_group = true;
  parent->children.push_back(std::move(node));
  open_.emplace_back(raw, entry);
  all_entries_.emplace_back(raw, std::move(entry));
  in_order_.push_back(raw);
  return std::nullopt;
}

std::optional<LegacyError> CopybookParser::finish_node(LayoutNode& node, const Entry& entry) {
  node.is_group = !node.children.empty();
  node.is_table = entry.has_occurs;
  node.occurs_min = entry.occurs_min;
  node.occurs_max = entry.occurs_max;
  if (entry.has_occurs && entry.level == 1) return error(entry.line, "OCCURS is not allowed at level 01");
  if (!entry.depending_on.empty() && entry.occurs_min > entry.occurs_max) return error(entry.line, "bad OCCURS range");

  // USAGE, SIGN and code page are inherited from the enclosing groups.
  std::optional<Usage> usage = entry.usage;
  std::optional<SignPosition> sign = entry.sign_position;
  bool separate = entry.sign_separate;
  node.code_page = layout_.options_.code_page;
  for (const LayoutNode* up = &node; up != nullptr; up = up->parent) {
    const auto found = std::find_if(layout_.options_.field_code_pages.begin(), layout_.options_.field_code_pages.end(),
                                    [&](const auto& pair) { return upper(pair.first) == up->name; });
    if (found != layout_.options_.field_code_pages.end()) {
      node.code_page = found->second;
      break;
    }
  }
  for (const LayoutNode* up = node.parent; up != nullptr; up = up->parent) {
    const auto entry_of = entry_of_node_.find(up);
    if (entry_of == entry_of_node_.end()) continue;
    const Entry& group = *entry_of->second;
    if (!usage && group.usage) usage = group.usage;
    if (!sign && group.sign_position) {
      sign = group.sign_position;
      separate = group.sign_separate;
    }
  }
  node.usage = usage.value_or(Usage::display);
  node.blank_when_zero = entry.blank_when_zero;
  if (node.is_group) {
    if (entry.picture) return error(entry.line, node.name + " has a PIC and subordinate items");
    return std::nullopt;
  }
  if (node.usage == Usage::float_single || node.usage == Usage::float_double) {
    if (entry.picture) return error(entry.line, "COMP-1 and COMP-2 items take no PIC");
    node.picture.category = PictureCategory::numeric;
    node.picture.is_signed = true;
    node.size = node.usage == Usage::float_single ? 4 : 8;
    return std::nullopt;
  }
  if (!entry.picture) return error(entry.line, node.name + " is an elementary item without PIC");
  std::string problem;
  auto picture = parse_picture(*entry.picture, problem);
  if (!picture) return error(entry.line, problem);
  node.picture = std::move(*picture);
  const Picture& pic = node.picture;
  if (pic.digits > max_decimal_digits) {
    return error(entry.line, "more than 38 digits in PIC " + *entry.picture, LegacyErrorCode::copybook_unsupported);
  }
  if (node.usage != Usage::display && pic.category != PictureCategory::numeric) {
    return error(entry.line, "USAGE other than DISPLAY needs a numeric PIC (9, S, V, P)");
  }
  if (sign) {
    if (pic.category != PictureCategory::numeric || node.usage != Usage::display || !pic.is_signed) {
      if (entry.sign_position) return error(entry.line, "a SIGN clause needs a signed (S) DISPLAY numeric PIC");
    } else {
      node.sign_position = *sign;
      node.sign_separate = separate;
    }
  }
  switch (node.usage) {
    case Usage::display:
      node.size = pic.length + (node.sign_separate ? 1u : 0u);
      break;
    case Usage::binary:
    case Usage::native_binary:
      if (pic.digits > 18) return error(entry.line, "binary items hold at most 18 digits", LegacyErrorCode::copybook_unsupported);
      node.size = binary_size(pic.digits);
      break;
    case Usage::packed:
      node.size = static_cast<std::size_t>(pic.digits / 2 + 1);
      break;
    case Usage::float_single:
    case Usage::float_double:
      break;
  }
  if (pic.category != PictureCategory::alphanumeric) {
    node.json_number = pic.scale <= 0 && pic.digits - pic.scale <= 15;
  }
  return std::nullopt;
}

LayoutNode* CopybookParser::find(std::string_view name) {
  for (LayoutNode* node : in_order_) {
    if (node->name == name) return node;
  }
  return nullptr;
}

/// REDEFINES and DEPENDING ON name other items: link them.
std::optional<LegacyError> CopybookParser::resolve_references() {
  for (auto& [node, entry] : all_entries_) {
    // Several 01 records already share the record area; their own REDEFINES says nothing more.
    if (!entry.redefines.empty() && node->redefines == nullptr) {
      LayoutNode* parent = node->parent;
      if (parent == nullptr) return error(entry.line, "REDEFINES " + entry.redefines + ": no earlier record to redefine");
      LayoutNode* target = nullptr;
      for (auto& sibling : parent->children) {
        if (sibling.get() == node) break;
        if (sibling->name == entry.redefines) target = sibling.get();
      }
      if (target == nullptr) return error(entry.line, "REDEFINES " + entry.redefines + ": no earlier item of that name at the same level");
      if (target->redefines != nullptr) {
        // "C REDEFINES B" where B REDEFINES A: all three share A's storage.
        for (auto& sibling : parent->children) {
          if (sibling.get() == target->redefines) target = sibling.get();
        }
      }
      if (entry.has_occurs || target->is_table) return error(entry.line, "REDEFINES of or with OCCURS is not supported", LegacyErrorCode::copybook_unsupported);
      node->redefines = target;
      if (target->alternatives.empty()) target->alternatives.push_back(target);
      target->alternatives.push_back(node);
    }
    if (!entry.depending_on.empty()) {
      LayoutNode* count = find(entry.depending_on);
      if (count == nullptr) return error(entry.line, "DEPENDING ON " + entry.depending_on + ": no such item");
      if (count->is_group || count->picture.category == PictureCategory::alphanumeric || count->is_table) {
        return error(entry.line, "DEPENDING ON " + entry.depending_on + " must be an elementary numeric item outside any table");
      }
      node->depending_on = count;
      if (count->remembered_slot < 0) count->remembered_slot = static_cast<int>(layout_.remembered_count_++);
    }
  }
  return std::nullopt;
}

void CopybookParser::compute_sizes(LayoutNode& node) {
  if (!node.is_group) {
    ++layout_.elementary_count_;
    return;
  }
  std::size_t size = 0;
  bool variable = false;
  for (auto& child : node.children) compute_sizes(*child);
  for (auto& child : node.children) {
    // Sizes are checked before they are multiplied, so that nested OCCURS cannot overflow.
    if (child->size > max_record_size / child->occurs_max) {
      if (too_large_ == nullptr) too_large_ = child.get();
      child->size = max_record_size / child->occurs_max;
    }
  }
  for (auto& child : node.children) {
    if (child->redefines != nullptr) continue;
    std::size_t span = child->size * child->occurs_max;
    bool child_variable = child->variable_size || child->depending_on != nullptr;
    for (const LayoutNode* alternative : child->alternatives) {
      span = std::max(span, alternative->size * alternative->occurs_max);
      child_variable = child_variable || alternative->variable_size;
    }
    size += span;
    variable = variable || child_variable;
  }
  if (size > max_record_size && too_large_ == nullptr) too_large_ = &node;
  node.size = std::min(size, max_record_size);
  node.variable_size = variable;
}

void CopybookParser::assign_offsets(LayoutNode& node, std::size_t offset) {
  node.offset = offset;
  std::size_t cursor = offset;
  for (auto& child : node.children) {
    if (child->redefines != nullptr) {
      assign_offsets(*child, child->redefines->offset);
      continue;
    }
    assign_offsets(*child, cursor);
    std::size_t span = child->size * child->occurs_max;
    for (const LayoutNode* alternative : child->alternatives) span = std::max(span, alternative->size * alternative->occurs_max);
    cursor += span;
  }
}

std::optional<LegacyError> CopybookParser::resolve_selectors() {
  for (const RedefinesSelector& selector : layout_.options_.selectors) {
    LayoutNode* base = find(upper(selector.redefined_field));
    if (base == nullptr || base->alternatives.empty()) {
      return error(0, "selector: " + selector.redefined_field + " is not an item that others REDEFINE");
    }
    LayoutNode* field = find(upper(selector.selector_field));
    if (field == nullptr || field->is_group || field->is_table) {
      return error(0, "selector: " + selector.selector_field + " is not an elementary item outside any table");
    }
    bool inside = false;
    for (const LayoutNode* up = field; up != nullptr; up = up->parent) inside = inside || up == base;
    if (field->offset + field->size > base->offset && !inside) {
      return error(0, "selector: " + selector.selector_field + " must come before " + selector.redefined_field + " or inside it");
    }
    for (const LayoutNode* node : in_order_) {
      if (node->depending_on != nullptr && node->offset < field->offset + field->size) {
        return error(0, "selector: " + selector.selector_field + " follows a table of variable size");
      }
    }
    for (const auto& selector_case : selector.cases) {
      const auto& alternatives = base->alternatives;
      if (std::none_of(alternatives.begin(), alternatives.end(), [&](const LayoutNode* alternative) { return alternative->name == upper(selector_case.alternative); })) {
        return error(0, "selector: " + selector_case.alternative + " does not redefine " + selector.redefined_field);
      }
    }
    base->selector = &selector;
    base->selector_field = field;
  }
  return std::nullopt;
}

LegacyResult<CopybookLayout> parse_copybook(std::string_view text, const CopybookOptions& options, const std::string& copybook_name) {
  auto tokens = tokenize_copybook(text, options.format, copybook_name);
  if (!tokens) return tokens.error();
  CopybookParser parser(options, copybook_name);
  return parser.parse(tokens.value());
}

}  // namespace pse::legacy

#include "adapters/connector/copybook_writer.hpp"

#include "adapters/copybook/decimal.hpp"
#include "adapters/copybook/record.hpp"
#include "adapters/copybook/record_encoder.hpp"
#include "base/config_error.hpp"

#include <boost/json/serialize.hpp>

namespace pse::connector {
namespace {

namespace json = boost::json;
using legacy::LayoutNode;

bool inside_table(const LayoutNode* node, const LayoutNode* stop = nullptr) {
  for (; node != nullptr && node != stop; node = node->parent) {
    if (node->is_table) return true;
  }
  return false;
}

const LayoutNode* find_within(const LayoutNode& node, std::string_view name) {
  if (node.name == name) return &node;
  for (const auto& child : node.children) {
    if (const LayoutNode* found = find_within(*child, name)) return found;
  }
  return nullptr;
}

bool has_redefines(const LayoutNode& node) {
  if (node.redefines != nullptr || !node.alternatives.empty()) return true;
  for (const auto& child : node.children) {
    if (has_redefines(*child)) return true;
  }
  return false;
}

bool is_text(const LayoutNode& node) {
  return node.usage == legacy::Usage::display && node.picture.category == legacy::PictureCategory::alphanumeric;
}

pse::Error unwritable(const LayoutNode& node, const std::string& why) {
  return pse::make_error(Reason::provider_error, "cannot write " + node.name + ": " + why);
}

}  // namespace

std::optional<std::string> format_date(std::string_view date, std::string_view format) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    switch (format[++i]) {
      case 'Y': out += date.substr(0, 4); break;
      case 'm': out += date.substr(5, 2); break;
      case 'd': out += date.substr(8, 2); break;
      default: out += '%'; out += format[i];
    }
  }
  return out;
}

CopybookWriter::CopybookWriter(std::shared_ptr<const legacy::CopybookLayout> layout, const std::string& key,
                               std::vector<OutputField> fields, const std::filesystem::path& file, int key_line)
    : layout_(std::move(layout)), fields_(std::move(fields)) {
  const LayoutNode& root = layout_->root();
  if (has_redefines(root)) throw ConfigError(file, key_line, "an output copybook cannot hold REDEFINES: which alternative to write would be a guess");
  auto elementary = [&](const std::string& name, const LayoutNode* within, int line) {
    const LayoutNode* node = within == nullptr ? layout_->find(name) : find_within(*within, name);
    const std::string where = within == nullptr ? "the copybook" : "the repeating group " + within->name;
    if (node == nullptr) throw ConfigError(file, line, "'" + name + "' is not an item of " + where);
    if (node->is_group || node->is_filler) throw ConfigError(file, line, "'" + name + "' is not an elementary item");
    if (inside_table(within == nullptr ? node : node->parent, within)) {
      throw ConfigError(file, line, "'" + name + "' repeats: map its OCCURS group as a list field");
    }
    return node;
  };
  key_ = elementary(key, nullptr, key_line);
  for (const OutputField& field : fields_) {
    if (field.items.empty()) {
      plain_[elementary(field.legacy, nullptr, field.line)] = &field;
      continue;
    }
    const LayoutNode* table = layout_->find(field.legacy);
    if (table == nullptr || !table->is_table || table->is_filler || inside_table(table->parent)) {
      throw ConfigError(file, field.line, "'" + field.legacy + "' is not a repeating group (OCCURS) outside any other");
    }
    lists_[table] = &field;
    for (const OutputField& item : field.items) items_[elementary(item.legacy, table, item.line)] = &item;
  }
}

struct CopybookWriter::Walk {
  const CopybookWriter& writer;
  std::string_view subject;
  const json::object& record;
  std::map<const LayoutNode*, std::uint32_t> counters;  // DEPENDING ON item → occurrences written
  legacy::Record out;
  std::optional<pse::Error> error;

  void value(const LayoutNode& node, const json::value* given, const OutputField* field) {
    if (is_text(node)) {
      std::string text;
      if (given != nullptr && given->is_string()) {
        text = std::string(given->get_string());
        if (field != nullptr && !field->date_format.empty()) {
          if (auto formatted = format_date(text, field->date_format)) text = *formatted;
        }
      } else if (given != nullptr && !given->is_null()) {
        text = json::serialize(*given);
      }
      out.add_text(&node, text);
      return;
    }
    std::string text;
    if (given != nullptr && given->is_string()) {
      text = std::string(given->get_string());
      if (field != nullptr && !field->date_format.empty()) {
        auto formatted = format_date(text, field->date_format);
        if (!formatted) {
          error = unwritable(node, "not a date");
          return;
        }
        text = *formatted;
      }
    } else if (given != nullptr && given->is_bool()) {
      text = given->get_bool() ? "1" : "0";
    } else if (given != nullptr && given->is_number()) {
      text = json::serialize(*given);
    }
    if (text.empty()) {
      // Null: blank where DISPLAY allows it, zero elsewhere; an item nobody maps: zero.
      if (given != nullptr && node.usage == legacy::Usage::display) {
        out.add_null(&node);
      } else {
        out.add_decimal(&node, 0, 0);
      }
      return;
    }
    const auto parsed = legacy::parse_decimal(text);
    if (!parsed) {
      error = unwritable(node, "not a number");
      return;
    }
    out.add_decimal(&node, parsed->unscaled, parsed->scale);
  }

  void elementary(const LayoutNode& node, const json::object* item) {
    if (&node == writer.key_) return out.add_text(&node, subject);
    if (const auto counter = counters.find(&node); counter != counters.end()) {
      return out.add_decimal(&node, counter->second, 0);
    }
    const auto& mapping = item != nullptr ? writer.items_ : writer.plain_;
    const auto mapped = mapping.find(&node);
    if (mapped == mapping.end()) return value(node, nullptr, nullptr);
    // A mapped field the record does not hold (its rule did not permit it) is written as null.
    static const json::value null_value;
    const json::value* given = (item != nullptr ? *item : record).if_contains(mapped->second->field);
    value(node, given != nullptr ? given : &null_value, mapped->second);
  }

  void one(const LayoutNode& node, const json::object* item) {
    if (node.is_filler || error) return;
    if (!node.is_group) return elementary(node, item);
    out.add(legacy::EntryKind::group_begin, &node, 0);
    for (const auto& child : node.children) occurrences(*child, item);
    out.add(legacy::EntryKind::group_end, &node, 0);
  }

  void occurrences(const LayoutNode& node, const json::object* item) {
    if (!node.is_table) return one(node, item);
    if (node.is_filler) return;
    const auto list = writer.lists_.find(&node);
    const json::array* items = nullptr;
    if (list != writer.lists_.end()) {
      const json::value* given = record.if_contains(list->second->field);
      items = given != nullptr ? given->if_array() : nullptr;
    }
    const std::uint32_t count = occurrence_count(node, items);
    out.add(legacy::EntryKind::table_begin, &node, 0).count = count;
    static const json::object empty;
    for (std::uint32_t i = 0; i < count && !error; ++i) {
      const json::value* occurrence = items != nullptr && i < items->size() ? &(*items)[i] : nullptr;
      const json::object* object = occurrence != nullptr ? occurrence->if_object() : nullptr;
      one(node, list != writer.lists_.end() ? (object != nullptr ? object : &empty) : item);
    }
    out.add(legacy::EntryKind::table_end, &node, 0);
  }

  std::uint32_t occurrence_count(const LayoutNode& node, const json::array* items) {
    if (node.depending_on == nullptr) return node.occurs_max;  // a fixed table: every occurrence, the rest blank
    const std::size_t wanted = items == nullptr ? 0 : items->size();
    return static_cast<std::uint32_t>(std::max<std::size_t>(wanted, node.occurs_min));
  }
};

pse::Result<std::string> CopybookWriter::encode(std::string_view subject, const json::object& record) const {
  Walk walk{*this, subject, record, {}, {}, {}};
  // Each list's counter gets its number of items before the walk meets it (it comes first).
  for (const auto& [table, field] : lists_) {
    const json::value* given = record.if_contains(field->field);
    const std::size_t count = given != nullptr && given->is_array() ? given->get_array().size() : 0;
    if (count > table->occurs_max) {
      return unwritable(*table, std::to_string(count) + " items, the OCCURS holds at most " + std::to_string(table->occurs_max));
    }
    if (table->depending_on != nullptr) {
      walk.counters[table->depending_on] = static_cast<std::uint32_t>(std::max<std::size_t>(count, table->occurs_min));
    }
  }
  const LayoutNode& root = layout_->root();
  if (root.is_group) {  // the record itself has no group markers (RecordEncoder)
    for (const auto& child : root.children) walk.occurrences(*child, nullptr);
  } else {
    walk.occurrences(root, nullptr);
  }
  if (walk.error) return *walk.error;
  legacy::RecordEncoder encoder(*layout_);
  std::string bytes;
  if (auto problem = encoder.encode(walk.out, bytes)) {
    // The encoder's message may quote the value (a number too large for its bytes): the error
    // goes to the log and the broker, so it names the item and the kind of problem only.
    return pse::make_error(Reason::provider_error,
                           "cannot write " + problem->field + ": " + std::string(legacy::to_string(problem->code)));
  }
  return bytes;
}

}  // namespace pse::connector
